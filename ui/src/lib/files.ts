// Files of records as the screens need them: the file token protected files ask for (cached in
// localStorage `pbLastFileToken` until a minute before it expires, dropped on sign-out), and what
// the preview dialog can show of a file.
import { getTokenPayload, type CollectionModel } from "pocketbase";
import { pb } from "./api";

const TOKEN_KEY = "pbLastFileToken";

let pending: Promise<string> | null = null;

/** A file token for protected files; callers asking at the same time share one request. */
export function fileToken(): Promise<string> {
    const cached = localStorage.getItem(TOKEN_KEY) ?? "";
    if (cached && (getTokenPayload(cached).exp ?? 0) * 1000 - 60_000 > Date.now()) return Promise.resolve(cached);
    pending ??= pb.files
        .getToken({ requestKey: null })
        .then((token) => {
            localStorage.setItem(TOKEN_KEY, token);
            return token;
        })
        .finally(() => (pending = null));
    return pending;
}

export function forgetFileToken(): void {
    localStorage.removeItem(TOKEN_KEY);
}

export function hasProtectedFiles(collection: CollectionModel | undefined): boolean {
    return !!collection?.fields.some((f) => f.type === "file" && f.protected);
}

export function previewKind(name: string): "image" | "video" | "audio" | "pdf" | "" {
    if (/\.(jpe?g|png|gif|webp|svg|avif|bmp|ico)$/i.test(name)) return "image";
    if (/\.(mp4|webm|ogv|mov|m4v)$/i.test(name)) return "video";
    if (/\.(mp3|wav|ogg|oga|m4a|flac|aac)$/i.test(name)) return "audio";
    if (/\.pdf$/i.test(name)) return "pdf";
    return "";
}
