// Toasts: stacked, newest on top; info and success go after 3 s, errors after 3.5 s, hovering
// holds them; a toast with the same key (by default its text) replaces the previous one.

export type ToastKind = "info" | "success" | "error";
export interface Toast {
    id: number;
    key: string;
    kind: ToastKind;
    text: string;
    timer?: ReturnType<typeof setTimeout>;
}

export const toasts = $state<Toast[]>([]);
let counter = 0;

export function toast(text: string, kind: ToastKind = "info", key = text): void {
    dismiss(key);
    const item: Toast = { id: ++counter, key, kind, text };
    toasts.unshift(item);
    resume(item.id);
}

export const success = (text: string) => toast(text, "success");
export const failure = (text: string) => toast(text, "error");

export function dismiss(key: string): void {
    const at = toasts.findIndex((item) => item.key === key);
    if (at >= 0) {
        clearTimeout(toasts[at].timer);
        toasts.splice(at, 1);
    }
}

export function hold(id: number): void {
    const item = toasts.find((entry) => entry.id === id);
    if (item) clearTimeout(item.timer);
}

export function resume(id: number): void {
    const item = toasts.find((entry) => entry.id === id);
    if (!item) return;
    clearTimeout(item.timer);
    item.timer = setTimeout(() => dismiss(item.key), item.kind === "error" ? 3500 : 3000);
}

export function clearToasts(): void {
    for (const item of toasts) clearTimeout(item.timer);
    toasts.length = 0;
}
