// Clean HTML for the rich editor: what it produces and what is pasted into it keeps only a small
// set of tags and safe attributes (no styles, classes, scripts or event handlers).

const KEEP = new Set([
    "P", "BR", "STRONG", "EM", "U", "S", "A", "UL", "OL", "LI", "H1", "H2", "H3", "H4", "H5", "H6",
    "PRE", "CODE", "BLOCKQUOTE", "HR", "IMG", "SUB", "SUP",
]);
const RENAME: Record<string, string> = { B: "STRONG", I: "EM", DEL: "S", STRIKE: "S", DIV: "P" };
const DROP = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "META", "LINK", "TITLE", "HEAD", "NOSCRIPT"]);
const BLOCKS = "p, div, ul, ol, h1, h2, h3, h4, h5, h6, pre, blockquote, table, section, article";
const SAFE_URL = /^(https?:|mailto:|tel:|#|\/|\.{0,2}\/|[^:]*$)/i;
const SAFE_IMAGE = /^(https?:|data:image\/|\/)/i;

export function cleanHtml(html: string): string {
    const source = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
    const target = document.createElement("div");
    copyChildren(source, target);
    paragraphs(target);
    for (const empty of target.querySelectorAll("p, h1, h2, h3, h4, h5, h6, blockquote, pre")) {
        if (!empty.textContent?.trim() && !empty.querySelector("img, hr")) empty.remove();
    }
    const result = target.innerHTML.trim();
    // an editor left with only empty paragraphs holds nothing
    return target.textContent?.trim() || target.querySelector("img, hr") ? result : "";
}

const INLINE = new Set(["#text", "STRONG", "EM", "U", "S", "A", "CODE", "IMG", "SUB", "SUP"]);

// Text typed straight into the editor (before any paragraph) is put into paragraphs, a line
// break between such runs starting a new one.
function paragraphs(root: Element): void {
    let run: HTMLParagraphElement | null = null;
    for (const node of Array.from(root.childNodes)) {
        if (INLINE.has(node.nodeName)) {
            run ??= root.insertBefore(document.createElement("p"), node);
            run.appendChild(node);
        } else {
            if (node.nodeName === "BR" && run) node.remove();
            run = null;
        }
    }
}

function copyChildren(from: Node, to: Node): void {
    for (const node of Array.from(from.childNodes)) {
        if (node.nodeType === Node.TEXT_NODE) {
            to.appendChild(document.createTextNode(node.textContent ?? ""));
            continue;
        }
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        const element = node as Element;
        const tag = RENAME[element.tagName] ?? element.tagName;
        if (DROP.has(tag)) continue;
        // a div of blocks is only a wrapper; a div of text is a paragraph
        const wrapper = element.tagName === "DIV" && !!element.querySelector(BLOCKS);
        if (!KEEP.has(tag) || wrapper) {
            copyChildren(element, to); // unwrap (span, font, section…) keeping the text
            continue;
        }
        const copy = document.createElement(tag);
        if (tag === "A") {
            const href = element.getAttribute("href") ?? "";
            if (SAFE_URL.test(href.trim())) copy.setAttribute("href", href.trim());
            if (element.getAttribute("target") === "_blank") {
                copy.setAttribute("target", "_blank");
                copy.setAttribute("rel", "noopener noreferrer");
            }
        } else if (tag === "IMG") {
            const src = element.getAttribute("src") ?? "";
            if (!SAFE_IMAGE.test(src.trim())) continue;
            copy.setAttribute("src", src.trim());
            const alt = element.getAttribute("alt");
            if (alt) copy.setAttribute("alt", alt);
        }
        copyChildren(element, copy);
        to.appendChild(copy);
    }
}
