// What the logs page shares: the log type (the SDK types `level` as a string; the API sends a
// number), the levels, the filter the page sends (preset, search term, time bound or zoom), the
// values shown for a log's data, and the search history.
import type { HourlyStats } from "pocketbase";
import { pb } from "../../lib/api";

export interface Log {
    id: string;
    created: string;
    level: number;
    message: string;
    data: Record<string, unknown>;
}

/** The Go slog levels the server uses, with their badge colours. */
export const LEVELS: { level: number; label: string; tone: string }[] = [
    { level: -4, label: "DEBUG", tone: "" },
    { level: 0, label: "INFO", tone: "success" },
    { level: 4, label: "WARN", tone: "warning" },
    { level: 8, label: "ERROR", tone: "danger" },
];

export function levelOf(level: number): { label: string; tone: string } {
    return LEVELS.find((entry) => entry.level === level) ?? { label: "UNKN", tone: "" };
}

export const LEVELS_HELP = "Default levels\n" + LEVELS.map(({ level, label }) => `${String(level).padStart(2, " ")}: ${label}`).join("\n");

/** Off by default: the dashboard's own requests would fill the list. */
export const WITHOUT_SUPERUSERS = "data.auth!='_superusers'";

/** The suggestions of the filter bar: the log columns and what request logs hold in `data`. */
export const FILTER_KEYS = [
    "id",
    "level",
    "message",
    "created",
    "data",
    "data.type",
    "data.status",
    "data.method",
    "data.url",
    "data.execTime",
    "data.auth",
    "data.authId",
    "data.userIP",
    "data.remoteIP",
    "data.referer",
    "data.userAgent",
    "data.error",
    "data.details",
];

/** Input with no filter operator is a search term over level, message and data. */
export function searchFilter(input: string): string {
    const term = input.trim();
    if (!term || /[=~><]/.test(term)) return term;
    const plain = Number.isNaN(Number(term)) && term !== "true" && term !== "false" ? term.replace(/^["'`]|["'`]$/g, "") : term;
    return ["level", "message", "data"].map((name) => pb.filter(`${name}?~{:plain}`, { plain })).join("||");
}

export function joinFilters(parts: string[]): string {
    return parts
        .filter(Boolean)
        .map((part) => `(${part})`)
        .join("&&");
}

/** A time as the API writes and compares it: `2026-11-24 10:35:54.529Z`. */
export function apiDate(date: Date): string {
    return date.toISOString().replace("T", " ");
}

export function parseApiDate(value: string): Date {
    return new Date(value.replace(" ", "T"));
}

/** A zoomed time range, in Unix seconds. */
export interface Zoom {
    min: number;
    max: number;
}

/** The list's time bound: whole minutes of the zoom, else nothing newer than `since`. */
export function timeFilter(zoom: Zoom | null, since: Date): string {
    if (!zoom) return `created <= "${apiDate(since)}"`;
    const min = new Date(zoom.min * 1000);
    min.setSeconds(0, 0);
    const max = new Date(zoom.max * 1000);
    max.setSeconds(59, 999);
    return `created >= "${apiDate(min)}" && created <= "${apiDate(max)}"`;
}

/** The chart's points (Unix seconds, requests) with a zero after every hour followed by a gap,
 *  so that the stepped line drops to zero there, and one closing the last hour. */
export function chartPoints(stats: HourlyStats[]): { xs: number[]; ys: number[] } {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < stats.length; i++) {
        const at = parseApiDate(stats[i].date).getTime() / 1000;
        xs.push(at);
        ys.push(stats[i].total);
        const next = stats[i + 1] ? parseApiDate(stats[i + 1].date).getTime() / 1000 : Infinity;
        if (next - at > 3600) {
            xs.push(at + 3600);
            ys.push(0);
        }
    }
    return { xs, ys };
}

export function isEmpty(value: unknown): boolean {
    return (
        value === null ||
        value === undefined ||
        value === "" ||
        (Array.isArray(value) && value.length === 0) ||
        (typeof value === "object" && Object.keys(value as object).length === 0)
    );
}

export function truncate(text: string, max: number): string {
    return text.length > max ? text.slice(0, max) + "..." : text;
}

/** A data value on one line (as PocketBase shows it): "N/A" when empty, execTime in ms (to the
 *  microsecond; the copy button has the exact value). */
export function displayValue(key: string, value: unknown, max = 150): string {
    if (isEmpty(value)) return "N/A";
    if (key === "execTime" && typeof value === "number") return `${Number(value.toFixed(3))}ms`;
    let text: string;
    if (typeof value === "string") text = value;
    else if (typeof value === "boolean") text = value ? "True" : "False";
    else if (Array.isArray(value) && typeof value[0] !== "object") text = value.map((item) => displayValue("", item, max)).join(", ");
    else text = JSON.stringify(value) ?? "";
    return text ? truncate(text, max) : "N/A";
}

export interface Chip {
    key: string;
    tone: "" | "danger" | "warning";
}

/** The data shown under a log's message: a request's status, time, auth, IP and a foreign
 *  referer; another log's first 6 keys; then its error and details. */
export function chips(log: Log): Chip[] {
    const data = log.data ?? {};
    const keys: string[] = [];
    if (data.type === "request") {
        for (const key of ["status", "execTime", "auth", "authId", "userIP"]) if (key in data) keys.push(key);
        const referer = data.referer;
        if (typeof referer === "string" && referer && !referer.includes(window.location.host)) keys.push("referer");
    } else {
        for (const key of Object.keys(data)) {
            if (keys.length >= 6) break;
            if (key !== "error" && key !== "details" && key !== "__pb_truncated__") keys.push(key);
        }
    }
    const result: Chip[] = keys.map((key) => ({ key, tone: "" }));
    if (!isEmpty(data.error)) result.push({ key: "error", tone: "danger" });
    if (!isEmpty(data.details)) result.push({ key: "details", tone: "warning" });
    return result;
}

/** The detail panel's order of a request's data keys; other keys follow as they come. */
const FIRST_KEYS = ["execTime", "type", "auth", "authId", "status", "method", "url", "referer", "remoteIP", "userIP", "userAgent", "error", "details"];

export function dataKeys(log: Log): string[] {
    const data = log.data ?? {};
    return [...new Set([...FIRST_KEYS.filter((key) => key in data), ...Object.keys(data)])];
}

function stamp(created: string): string {
    return created.replace(" ", "T").replace(/[-:. ]/g, "");
}

/** `log_<created>.json`, or `N_logs_<from>_to_<to>.json` for several. */
export function downloadName(logs: Log[]): string {
    if (logs.length === 1) return `log_${stamp(logs[0].created)}.json`;
    const sorted = [...logs].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    return `${logs.length}_logs_${stamp(sorted.at(-1)!.created)}_to_${stamp(sorted[0].created)}.json`;
}

/** Local time as `YYYY-MM-DD HH:mm:ss.SSS`. */
export function localTime(created: string): string {
    const date = parseApiDate(created);
    if (Number.isNaN(date.getTime())) return created;
    const pad = (n: number, width = 2) => String(n).padStart(width, "0");
    return (
        `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
        `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
    );
}

export const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

// The last searches, newest first.
