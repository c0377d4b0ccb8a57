// Light, dark or auto (the OS's), kept in localStorage `pbColorScheme` and shared between tabs.
export type Scheme = "light" | "dark" | "auto";

const KEY = "pbColorScheme";
export const theme = $state({ scheme: (localStorage.getItem(KEY) as Scheme) || "auto" });

export function applyTheme(): void {
    const dark = theme.scheme === "dark" || (theme.scheme === "auto" && matchMedia("(prefers-color-scheme: dark)").matches);
    // Transitions pause while switching so nothing flickers.
    document.documentElement.classList.add("switching");
    document.documentElement.dataset.theme = dark ? "dark" : "light";
    requestAnimationFrame(() => document.documentElement.classList.remove("switching"));
}

export function setScheme(scheme: Scheme): void {
    theme.scheme = scheme;
    localStorage.setItem(KEY, scheme);
    applyTheme();
}

matchMedia("(prefers-color-scheme: dark)").addEventListener("change", applyTheme);
window.addEventListener("storage", (event) => {
    if (event.key === KEY) {
        theme.scheme = (event.newValue as Scheme) || "auto";
        applyTheme();
    }
});
applyTheme();
