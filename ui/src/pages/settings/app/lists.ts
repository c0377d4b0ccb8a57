// Comma separated lists of the settings (IPs, headers) as the inputs show them.

export function splitList(text: string): string[] {
    return text
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
}

export function joinList(list: string[] | null | undefined): string {
    return (list ?? []).join(", ");
}
