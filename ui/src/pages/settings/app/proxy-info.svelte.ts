// What the server sees of this browser's own request (the superuser view of `GET /api/health`):
// the resolved user IP and a proxy header it noticed, for the proxy and superuser IP sections.
import { pb, isAbort } from "../../../lib/api";
import { report } from "../../../lib/errors.svelte";

export class ProxyInfo {
    loading = $state(false);
    realIP = $state("");
    possibleProxyHeader = $state("");

    async load(): Promise<void> {
        this.loading = true;
        try {
            const health = await pb.health.check({ requestKey: "settingsProxyInfo" });
            this.realIP = health.data?.realIP ?? "";
            this.possibleProxyHeader = health.data?.possibleProxyHeader ?? "";
            this.loading = false;
        } catch (err) {
            // aborted = a newer load is on its way and will clear `loading`
            if (!isAbort(err)) {
                report(err);
                this.loading = false;
            }
        }
    }
}
