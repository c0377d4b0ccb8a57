// The parts of `GET /api/settings` the settings pages edit (the SDK leaves settings untyped).
// Secrets are never returned: `password` and `secret` are absent until typed, and null means
// "clear it" (see lib/settings-form).
import type { RateLimitRule } from "./rate-limits";

export interface MetaSettings {
    appName: string;
    appURL: string;
    senderName: string;
    senderAddress: string;
    hideControls: boolean;
    accentColor?: string;
}

export interface BatchSettings {
    enabled: boolean;
    maxRequests: number;
    timeout: number;
    maxBodySize: number;
}

export interface TrustedProxySettings {
    headers: string[];
    useLeftmostIP: boolean;
}

export interface RateLimitSettings {
    enabled: boolean;
    rules: RateLimitRule[];
    excludedIPs: string[];
}

export interface SMTPSettings {
    enabled: boolean;
    host: string;
    port: number;
    username: string;
    password?: string | null;
    authMethod: string;
    tls: boolean;
    localName: string;
}

export interface S3Settings {
    enabled: boolean;
    bucket: string;
    region: string;
    endpoint: string;
    accessKey: string;
    secret?: string | null;
    forcePathStyle: boolean;
}
