// The accent colour of the dashboard (`meta.accentColor`): the frame's `--accent` and the
// browser's `theme-color`. The dark scheme gets a lighter tint of it, so links and badges in
// the accent stay readable on the dark background.

/** PocketBase's preset accents (all dark enough for white text). */
export const PRESET_ACCENTS = ["#1055c9", "#a3142a", "#096d5c", "#e6620a", "#007d9c", "#3f3da9"];

/** Whether white text is readable on `hex` (#rrggbb), by its YIQ brightness as PocketBase's. */
export function darkEnoughForWhiteText(hex: string): boolean {
    const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
    if (!match) return false;
    const [r, g, b] = match.slice(1).map((part) => parseInt(part, 16));
    return (r * 299 + g * 587 + b * 114) / 1000 < 128;
}

/** The accent as last seen, before the settings load (no flash of the default colour). */
export function cachedAccent(): string {
    try {
        return JSON.parse(localStorage.getItem("pbSettings") ?? "{}")?.meta?.accentColor ?? "";
    } catch {
        return "";
    }
}

/** Applies `color` (#rrggbb) as the accent; an empty or invalid one restores the theme's own. */
export function applyAccent(color: string | undefined): void {
    const root = document.documentElement.style;
    const valid = !!color && /^#[0-9a-f]{6}$/i.test(color);
    if (valid) root.setProperty("--accent", `light-dark(${color}, color-mix(in oklab, ${color} 82%, white))`);
    else root.removeProperty("--accent");

    let meta = document.querySelector<HTMLMetaElement>('meta[name="theme-color"]');
    if (!valid) return meta?.remove();
    if (!meta) {
        meta = document.createElement("meta");
        meta.name = "theme-color";
        document.head.append(meta);
    }
    meta.content = color;
}
