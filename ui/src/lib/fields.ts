// What the screens need to know about field types: the menu label and the icon of each (the
// collection editor's "New field" menu, the record form's labels, the list's column heads).
import type { Component } from "svelte";
import Text from "@lucide/svelte/icons/type";
import PenLine from "@lucide/svelte/icons/pen-line";
import Hash from "@lucide/svelte/icons/hash";
import ToggleRight from "@lucide/svelte/icons/toggle-right";
import Mail from "@lucide/svelte/icons/mail";
import Link from "@lucide/svelte/icons/link";
import Calendar from "@lucide/svelte/icons/calendar";
import CalendarClock from "@lucide/svelte/icons/calendar-clock";
import List from "@lucide/svelte/icons/list";
import Paperclip from "@lucide/svelte/icons/paperclip";
import Network from "@lucide/svelte/icons/network";
import Braces from "@lucide/svelte/icons/braces";
import MapPin from "@lucide/svelte/icons/map-pin";
import Lock from "@lucide/svelte/icons/lock";
import Key from "@lucide/svelte/icons/key-round";

export interface FieldType {
    type: string;
    label: string;
    icon: Component;
}

// In PocketBase's menu order; `password` exists only as the auth system field.
export const FIELD_TYPES: FieldType[] = [
    { type: "text", label: "Plain text", icon: Text },
    { type: "editor", label: "Rich editor", icon: PenLine },
    { type: "number", label: "Number", icon: Hash },
    { type: "bool", label: "Bool", icon: ToggleRight },
    { type: "email", label: "Email", icon: Mail },
    { type: "url", label: "URL", icon: Link },
    { type: "date", label: "Datetime", icon: Calendar },
    { type: "autodate", label: "Autodate", icon: CalendarClock },
    { type: "select", label: "Select", icon: List },
    { type: "file", label: "File", icon: Paperclip },
    { type: "relation", label: "Relation", icon: Network },
    { type: "json", label: "JSON", icon: Braces },
    { type: "geoPoint", label: "Geo Point", icon: MapPin },
    { type: "password", label: "Password", icon: Lock },
];

export function fieldType(type: string): FieldType {
    return FIELD_TYPES.find((entry) => entry.type === type) ?? { type, label: type, icon: Text };
}

/** The primary key's icon (the `id` column head and input). */
export const PrimaryKeyIcon = Key;
