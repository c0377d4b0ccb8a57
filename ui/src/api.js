// The one API client: the official SDK against the server that serves the dashboard (/_/ → /).
import PocketBase from "pocketbase";

export const pb = new PocketBase(new URL("..", window.location.href).href.replace(/\/$/, ""));
