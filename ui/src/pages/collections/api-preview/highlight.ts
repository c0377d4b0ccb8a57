// Colours for the preview's read-only code (SDK examples, JSON): a small tokenizer is enough for
// these short, well-formed snippets, and it spares loading an editor per block. The classes are
// the code editors' (`.tok-*` in app.css).
export type Language = "js" | "dart" | "python" | "json" | "text";

export interface Token {
    text: string;
    cls: string;
}

const KEYWORDS: Record<Language, string[]> = {
    js: ["import", "from", "const", "let", "await", "async", "function", "new", "return"],
    dart: ["import", "final", "await", "async", "new", "return"],
    python: ["from", "import", "def", "return", "print"],
    json: [],
    text: [],
};
const CONSTANTS = ["true", "false", "null", "None", "True", "False"];

export function tokenize(code: string, language: Language): Token[] {
    if (language === "text") return [{ text: code, cls: "" }];
    const comment = language === "python" ? "#[^\\n]*" : "\\/\\/[^\\n]*";
    const pattern = new RegExp(
        `(${comment})|("(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*')|(-?\\b\\d+(?:\\.\\d+)?\\b)|([A-Za-z_]\\w*)`,
        "g",
    );
    const keywords = new Set(KEYWORDS[language]);
    const tokens: Token[] = [];
    let last = 0;
    for (const match of code.matchAll(pattern)) {
        const index = match.index ?? 0;
        if (index > last) tokens.push({ text: code.slice(last, index), cls: "" });
        const [text, isComment, isString, isNumber, word] = match;
        let cls = "";
        if (isComment) cls = "tok-comment";
        else if (isString) {
            // a JSON key is a property, not a value
            cls = language === "json" && /^\s*:/.test(code.slice(index + text.length)) ? "tok-property" : "tok-string";
        } else if (isNumber) cls = "tok-number";
        else if (word && keywords.has(word)) cls = "tok-keyword";
        else if (word && CONSTANTS.includes(word)) cls = "tok-number";
        tokens.push({ text, cls });
        last = index + text.length;
    }
    if (last < code.length) tokens.push({ text: code.slice(last), cls: "" });
    return tokens;
}
