// Highlighting of PocketBase's filter and rule syntax (filter-and-rules.md §1): identifiers,
// `@request.*` / `@collection.*`, macros, `:modifiers`, functions, texts, numbers, operators and
// `//` comments. A stream tokenizer is enough: the syntax has no nesting that colours depend on.
import { StreamLanguage, LanguageSupport } from "@codemirror/language";
import { tags } from "@lezer/highlight";

export const MACROS = [
    "@now",
    "@yesterday",
    "@tomorrow",
    "@todayStart",
    "@todayEnd",
    "@monthStart",
    "@monthEnd",
    "@yearStart",
    "@yearEnd",
    "@second",
    "@minute",
    "@hour",
    "@day",
    "@month",
    "@weekday",
    "@year",
];

const macroSet = new Set(MACROS);
const constants = new Set(["null", "true", "false"]);

interface QuoteState {
    quote: string | null;
}

const filterLanguage = StreamLanguage.define<QuoteState>({
    name: "pbfilter",
    startState: () => ({ quote: null }),
    token(stream, state) {
        if (state.quote) return readText(stream, state);
        if (stream.eatSpace()) return null;
        if (stream.match("//")) {
            stream.skipToEnd();
            return "comment";
        }
        const next = stream.peek();
        if (next === '"' || next === "'") {
            state.quote = stream.next() as string;
            return readText(stream, state);
        }
        if (stream.match(/^-?\d+(\.\d+)?/)) return "number";
        if (stream.match(/^(\?)?(!=|>=|<=|!~|=|>|<|~)/) || stream.match("&&") || stream.match("||")) return "operator";
        if (stream.match(/^[()]/)) return "paren";
        if (stream.match(",")) return "punctuation";
        const word = stream.match(/^[A-Za-z_@#][\w.]*/) as RegExpMatchArray | null;
        if (word) {
            const name = word[0];
            if (stream.peek() === "(") return "function";
            if (macroSet.has(name)) return "macro";
            if (name.startsWith("@")) return "special";
            if (constants.has(name.toLowerCase())) return "constant";
            return "identifier";
        }
        if (stream.match(/^:[A-Za-z_]\w*/)) return "modifier";
        // the rest of a path after an alias: `@collection.users:u.name`
        if (stream.match(/^\.[\w.]+/)) return "identifier";
        stream.next();
        return "invalid";
    },
    tokenTable: {
        comment: tags.lineComment,
        string: tags.string,
        number: tags.number,
        operator: tags.operator,
        paren: tags.paren,
        punctuation: tags.separator,
        function: tags.function(tags.variableName),
        macro: tags.atom,
        special: tags.special(tags.variableName),
        constant: tags.bool,
        identifier: tags.propertyName,
        modifier: tags.modifier,
        invalid: tags.invalid,
    },
    languageData: { commentTokens: { line: "//" } },
});

// A backslash only escapes the same quote (anything else stays literal), and texts may span lines.
function readText(stream: { next(): string | void; eol(): boolean }, state: QuoteState): string {
    let escaped = false;
    while (!stream.eol()) {
        const ch = stream.next();
        if (ch === state.quote && !escaped) {
            state.quote = null;
            break;
        }
        escaped = ch === "\\" && !escaped;
    }
    return "string";
}

export function filterSyntax(): LanguageSupport {
    return new LanguageSupport(filterLanguage);
}
