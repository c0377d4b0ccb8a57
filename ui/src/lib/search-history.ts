// The last searches of a filter bar, newest first, kept in localStorage under the bar's key.
const SIZE = 15;

export function loadHistory(key: string): string[] {
    try {
        const stored = JSON.parse(localStorage.getItem(key) ?? "[]");
        return Array.isArray(stored) ? stored.filter((entry) => typeof entry === "string") : [];
    } catch {
        return [];
    }
}

export function saveHistory(key: string, entries: string[]): string[] {
    const kept = entries.slice(0, SIZE);
    localStorage.setItem(key, JSON.stringify(kept));
    return kept;
}

export function rememberSearch(key: string, filter: string): string[] {
    return saveHistory(key, [filter, ...loadHistory(key).filter((entry) => entry !== filter)]);
}
