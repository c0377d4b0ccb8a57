// The pages of the API preview (admin-ui.md §3.5), built on the client from a collection's
// schema: what each endpoint does, SDK examples (JS, Dart, Python), method and path, parameters
// and example responses with dummy values per field type. Texts may hold `code` in backticks.
import type { CollectionField, CollectionModel } from "pocketbase";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Param {
    name: string;
    type: string;
    /** true "(required)", false "(optional)", undefined: no mark. */
    required?: boolean;
    /** Small badges after the name, e.g. "auth" or "manager only". */
    marks?: string[];
    description: string[];
    example?: string;
}

export type ParamRow = Param | { heading: string };

export interface Response {
    status: number;
    body: string;
}

export interface Endpoint {
    title?: string;
    method: "GET" | "POST" | "PATCH" | "DELETE" | "GET/POST";
    path: string;
    superuserOnly: boolean;
    /** Another header requirement, e.g. a record's auth token. */
    note?: string;
    pathParams: Param[];
    queryParams: Param[];
    bodyParams: ParamRow[];
    responses: Response[];
}

export interface Examples {
    js: string;
    dart: string;
    python: string;
}

export interface DocPage {
    id: string;
    title: string;
    /** Why the page is unavailable ("Not enabled for the collection"). */
    disabled?: string;
    description: string[];
    examples: Examples;
    endpoints: Endpoint[];
}

// ---------------------------------------------------------------------------------------------
// Dummy values, fixed so the examples read the same every time.

function isMultiple(field: CollectionField): boolean {
    return Number(field.maxSelect ?? 1) > 1;
}

function dummyValue(field: CollectionField): Json {
    switch (field.type) {
        case "text":
            return field.primaryKey ? "RECORD_ID" : "example text";
        case "editor":
            return "<p>Lorem ipsum dolor sit amet…</p>";
        case "number":
            return 123.456;
        case "bool":
            return true;
        case "email":
            return "test@example.com";
        case "url":
            return "https://example.com";
        case "date":
        case "autodate":
            return "2022-01-01 10:00:00.123Z";
        case "select": {
            const values: string[] = field.values ?? [];
            return isMultiple(field) ? values.slice(0, 2) : (values[0] ?? "");
        }
        case "file":
            return isMultiple(field) ? ["filename1_abc123xyz.jpg", "filename2_def456uvw.jpg"] : "filename_abc123xyz.jpg";
        case "relation":
            return isMultiple(field) ? ["RELATION_RECORD_ID1", "RELATION_RECORD_ID2"] : "RELATION_RECORD_ID";
        case "json":
            return { example: 123 };
        case "geoPoint":
            return { lon: 23.3219, lat: 42.6977 };
        default:
            return "";
    }
}

/** The type label of a body parameter, from what a client sends for the field. */
function sentType(field: CollectionField): string {
    if (field.type === "file") return isMultiple(field) ? "Array<File>" : "File";
    if (["select", "relation"].includes(field.type) && isMultiple(field)) return "Array<String>";
    if (field.type === "number") return "Number";
    if (field.type === "bool") return "Boolean";
    if (["json", "geoPoint"].includes(field.type)) return field.type === "json" ? "Mixed" : "Object";
    return "String";
}

export function dummyRecord(collection: CollectionModel): Record<string, Json> {
    const record: Record<string, Json> = { collectionId: collection.id || "COLLECTION_ID", collectionName: collection.name };
    for (const field of collection.fields ?? []) {
        if (field.hidden || field.type === "password") continue;
        record[field.name] = dummyValue(field);
    }
    return record;
}

function json(value: Json): string {
    return JSON.stringify(value, null, 2);
}

function error(status: number, message: string, data: Record<string, Json> = {}): Response {
    return { status, body: json({ status, message, data }) };
}

function required(field: string, message = "Missing required value."): Record<string, Json> {
    return { [field]: { code: "validation_required", message } };
}

// ---------------------------------------------------------------------------------------------
// Parameters shared by several pages.

const expandParam: Param = {
    name: "expand",
    type: "String",
    description: [
        "Auto expand record relations. Supports up to 6-levels depth nested relations expansion.",
        'The expanded relations are appended to each individual record under the `expand` property (e.g. `"expand": {"relField1": {…}, …}`).',
        "Only the relations to which the request user has permissions to view will be expanded.",
    ],
    example: "?expand=relField1,relField2.subRelField",
};

const fieldsParam: Param = {
    name: "fields",
    type: "String",
    description: [
        "Comma separated string of the fields to return in the JSON response (by default returns all fields). Use `*` to target all keys from the specific depth level.",
        "The `:excerpt(maxLength, withEllipsis?)` modifier returns a short plain text version of a string value, e.g. `?fields=*,description:excerpt(200,true)`.",
    ],
    example: '// all root level fields and only "relField.someField" from expand\n?fields=*,expand.relField.someField',
};

const recordIdParam = (action: string): Param => ({
    name: "id",
    type: "String",
    description: [`ID of the record to ${action}.`],
});

function recordQueryParams(): Param[] {
    return [expandParam, fieldsParam];
}

// ---------------------------------------------------------------------------------------------
// SDK example helpers.

function jsHeader(baseURL: string): string {
    return `import PocketBase from 'pocketbase';\n\nconst pb = new PocketBase('${baseURL}');\n\n...\n\n`;
}
function dartHeader(baseURL: string): string {
    return `import 'package:pocketbase/pocketbase.dart';\n\nfinal pb = PocketBase('${baseURL}');\n\n...\n\n`;
}
function pythonHeader(baseURL: string): string {
    return `from pocketbase import PocketBase\n\npb = PocketBase('${baseURL}')\n\n...\n\n`;
}

/** A JSON value written as a Python literal. */
function python(value: Json, indent = ""): string {
    if (value === null) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "number" || typeof value === "string") return JSON.stringify(value);
    const inner = indent + "    ";
    if (Array.isArray(value)) {
        if (!value.length) return "[]";
        return `[\n${value.map((v) => inner + python(v, inner)).join(",\n")},\n${indent}]`;
    }
    const entries = Object.entries(value);
    if (!entries.length) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${python(v, inner)}`).join(",\n")},\n${indent}}`;
}

// ---------------------------------------------------------------------------------------------
// The pages.

export function buildPages(collection: CollectionModel, baseURL: string): DocPage[] {
    const name = collection.name;
    const isAuth = collection.type === "auth";
    const isView = collection.type === "view";
    const isSuperusers = name === "_superusers";
    const record = dummyRecord(collection);
    const base = `/api/collections/${name}`;
    const js = jsHeader(baseURL);
    const dart = dartHeader(baseURL);
    const py = pythonHeader(baseURL);

    const pages: DocPage[] = [listPage(), viewPage()];
    if (!isView) pages.push(createPage(), updatePage(), deletePage(), realtimePage(), batchPage());
    if (isAuth && collection.type === "auth") {
        pages.push(authMethodsPage());
        pages.push(passwordPage());
        if (!isSuperusers) pages.push(oauth2Page());
        pages.push(otpPage(), refreshPage());
        if (!isSuperusers) pages.push(verificationPage());
        pages.push(passwordResetPage(), emailChangePage());
    }
    return pages;

    function listPage(): DocPage {
        const superuserOnly = collection.listRule === null;
        const responses = [
            { status: 200, body: json({ page: 1, perPage: 30, totalPages: 1, totalItems: 2, items: [record, record] }) },
            error(400, "Something went wrong while processing your request."),
        ];
        if (superuserOnly) responses.push(error(403, "Only superusers can access this action."));
        return {
            id: "list",
            title: "List/Search",
            description: [`Fetch a paginated ${name} records list, supporting sorting and filtering.`],
            examples: {
                js:
                    js +
                    `// fetch a paginated records list\nconst resultList = await pb.collection('${name}').getList(1, 50, {\n  filter: 'someField1 != someField2',\n});\n\n` +
                    `// you can also fetch all records at once via getFullList\nconst records = await pb.collection('${name}').getFullList({\n  sort: '-someField',\n});\n\n` +
                    `// or fetch only the first record that matches the specified filter\nconst record = await pb.collection('${name}').getFirstListItem(\n  'someField="test"',\n  { expand: 'relField1,relField2.subRelField' },\n);`,
                dart:
                    dart +
                    `// fetch a paginated records list\nfinal resultList = await pb.collection('${name}').getList(\n  page: 1,\n  perPage: 50,\n  filter: 'someField1 != someField2',\n);\n\n` +
                    `// you can also fetch all records at once via getFullList\nfinal records = await pb.collection('${name}').getFullList(\n  sort: '-someField',\n);\n\n` +
                    `// or fetch only the first record that matches the specified filter\nfinal record = await pb.collection('${name}').getFirstListItem(\n  'someField="test"',\n  expand: 'relField1,relField2.subRelField',\n);`,
                python:
                    py +
                    `# fetch a paginated records list\nresult_list = pb.collection('${name}').get_list(1, 50, {\n    'filter': 'someField1 != someField2',\n})\n\n` +
                    `# you can also fetch all records at once via get_full_list\nrecords = pb.collection('${name}').get_full_list(query_params={\n    'sort': '-someField',\n})\n\n` +
                    `# or fetch only the first record that matches the specified filter\nrecord = pb.collection('${name}').get_first_list_item(\n    'someField="test"',\n    {'expand': 'relField1,relField2.subRelField'},\n)`,
            },
            endpoints: [
                {
                    method: "GET",
                    path: `${base}/records`,
                    superuserOnly,
                    pathParams: [],
                    queryParams: [
                        { name: "page", type: "Number", description: ["The page (aka. offset) of the paginated list (default to 1)."] },
                        { name: "perPage", type: "Number", description: ["Specify the max returned records per page (default to 30)."] },
                        {
                            name: "sort",
                            type: "String",
                            description: [
                                "Specify the records order attribute(s). Add `-` / `+` (default) in front of the attribute for DESC / ASC order.",
                                isView
                                    ? "Besides the collection's non-hidden fields, `@random` sorts randomly."
                                    : "Besides the collection's non-hidden fields, `@random` sorts randomly and `@rowid` by insertion order.",
                            ],
                            example: "// DESC by created and ASC by id\n?sort=-created,id",
                        },
                        {
                            name: "filter",
                            type: "String",
                            description: [
                                "Filter the returned records with `OPERAND OPERATOR OPERAND` expressions joined by `&&` / `||` and grouped with parentheses.",
                                "Operators: `=`, `!=`, `>`, `>=`, `<`, `<=`, `~` (like/contains), `!~` (not like), and their any-of variants for multi-value operands: `?=`, `?!=`, `?>`, `?>=`, `?<`, `?<=`, `?~`, `?!~`.",
                                "All query params must be properly URL encoded (the SDKs do this automatically).",
                            ],
                            example: "?filter=(id='abc' && created>'2022-01-01')",
                        },
                        expandParam,
                        fieldsParam,
                        {
                            name: "skipTotal",
                            type: "Boolean",
                            description: [
                                "If set to `1` / `true` the total counts query is skipped and the response fields `totalItems` and `totalPages` will have -1 value.",
                                "This can speed up the search queries when the total counters are not needed or cursor based pagination is used. The SDKs' `getFirstListItem()` and `getFullList()` set it by default.",
                            ],
                        },
                    ],
                    bodyParams: [],
                    responses,
                },
            ],
        };
    }

    function viewPage(): DocPage {
        const superuserOnly = collection.viewRule === null;
        const responses = [{ status: 200, body: json(record) }];
        if (superuserOnly) responses.push(error(403, "Only superusers can access this action."));
        responses.push(error(404, "The requested resource wasn't found."));
        return {
            id: "view",
            title: "View",
            description: [`Fetch a single ${name} record.`],
            examples: {
                js: js + `const record = await pb.collection('${name}').getOne('RECORD_ID', {\n  expand: 'relField1,relField2.subRelField',\n});`,
                dart: dart + `final record = await pb.collection('${name}').getOne('RECORD_ID',\n  expand: 'relField1,relField2.subRelField',\n);`,
                python: py + `record = pb.collection('${name}').get_one('RECORD_ID', {\n    'expand': 'relField1,relField2.subRelField',\n})`,
            },
            endpoints: [
                {
                    method: "GET",
                    path: `${base}/records/:id`,
                    superuserOnly,
                    pathParams: [recordIdParam("view")],
                    queryParams: recordQueryParams(),
                    bodyParams: [],
                    responses,
                },
            ],
        };
    }

    /** Every field a client may send, in schema order (auth system fields are listed apart). */
    function bodyFields(): CollectionField[] {
        const authOwn = ["password", "tokenKey", "email", "emailVisibility", "verified"];
        return (collection.fields ?? []).filter(
            (f) => f.type !== "autodate" && !(isAuth && authOwn.includes(f.name)) && !(f.hidden && f.type === "password"),
        );
    }

    function bodyRows(forUpdate: boolean): ParamRow[] {
        const rows: ParamRow[] = [];
        if (isAuth) {
            const emailField = collection.fields?.find((f) => f.name === "email");
            rows.push({ heading: "Auth specific fields" });
            rows.push({
                name: "email",
                type: "String",
                required: forUpdate ? false : !!emailField?.required,
                marks: ["auth"],
                description: forUpdate
                    ? ["Auth record email address. Only superusers and auth records with \"Manage\" access can change it directly; others use the email change request."]
                    : ["Auth record email address."],
            });
            rows.push({
                name: "emailVisibility",
                type: "Boolean",
                required: false,
                marks: ["auth"],
                description: [
                    "Whether to show/hide the auth record email when fetching the record data.",
                    "Superusers and the owner of the record always have access to the email address.",
                ],
            });
            if (forUpdate) {
                rows.push({
                    name: "oldPassword",
                    type: "String",
                    required: false,
                    marks: ["auth"],
                    description: [
                        "Old auth record password.",
                        'Required when changing the password, except for superusers and auth records with "Manage" access.',
                    ],
                });
            }
            rows.push({ name: "password", type: "String", required: !forUpdate, marks: ["auth"], description: [forUpdate ? "New auth record password." : "Auth record password."] });
            rows.push({
                name: "passwordConfirm",
                type: "String",
                required: !forUpdate,
                marks: ["auth"],
                description: [forUpdate ? "New auth record password confirmation." : "Auth record password confirmation."],
            });
            rows.push({
                name: "verified",
                type: "Boolean",
                required: false,
                marks: ["auth", "manager only"],
                description: [
                    "Indicates whether the auth record is verified or not.",
                    'This field can be set only by superusers or auth records with "Manage" access.',
                ],
            });
            rows.push({ heading: "Other fields" });
        }
        for (const field of bodyFields()) {
            const mustSend = !forUpdate && field.required && !field.autogeneratePattern && !field.primaryKey;
            const marks: string[] = [];
            if (field.hidden) marks.push("hidden");
            rows.push({
                name: field.name,
                type: sentType(field),
                required: mustSend,
                marks,
                description: [
                    field.primaryKey
                        ? "The record id (15 characters by default). Leave it out to autogenerate it."
                        : `\`${field.type}\` field value.`,
                ],
            });
        }
        return rows;
    }

    /** The body of the create/update examples: every sendable field with a dummy value. */
    function examplePayload(forUpdate: boolean, primitivesOnly: boolean): Record<string, Json> {
        const payload: Record<string, Json> = {};
        if (isAuth) {
            if (forUpdate) {
                payload.oldPassword = "12345678";
            } else {
                payload.email = "test@example.com";
                payload.emailVisibility = true;
            }
            payload.password = "87654321";
            payload.passwordConfirm = "87654321";
        }
        for (const field of bodyFields()) {
            if (field.primaryKey) continue;
            if (primitivesOnly && (field.type === "file" || field.type === "json" || field.type === "geoPoint")) continue;
            payload[field.name] = field.type === "file" ? null : dummyValue(field);
        }
        return payload;
    }

    /** JS accepts files in the body: each file field gets a `new File(…)`. */
    function jsPayload(forUpdate: boolean): string {
        const payload = examplePayload(forUpdate, false);
        let text = json(payload);
        for (const field of bodyFields()) {
            if (field.type !== "file") continue;
            const file = isMultiple(field) ? "[new File([...], 'file1.txt'), new File([...], 'file2.txt')]" : "new File([...], 'file.txt')";
            text = text.replace(`"${field.name}": null`, `"${field.name}": ${file}`);
        }
        return text;
    }

    function createPage(): DocPage {
        const superuserOnly = collection.createRule === null;
        const firstField = isAuth ? "email" : (bodyFields().find((f) => !f.primaryKey)?.name ?? "someField");
        const responses = [{ status: 200, body: json(record) }, error(400, "Failed to create record.", required(firstField))];
        if (superuserOnly) responses.push(error(403, "Only superusers can perform this action."));
        const verifyJs = isAuth ? `\n\n// (optional) send an email verification request\nawait pb.collection('${name}').requestVerification('test@example.com');` : "";
        const verifyDart = isAuth ? `\n\n// (optional) send an email verification request\nawait pb.collection('${name}').requestVerification('test@example.com');` : "";
        const verifyPy = isAuth ? `\n\n# (optional) send an email verification request\npb.collection('${name}').request_verification('test@example.com')` : "";
        return {
            id: "create",
            title: "Create",
            description: [
                `Creates a new ${name} record.`,
                "Body parameters can be sent as `application/json` or `multipart/form-data`. File upload is supported only via `multipart/form-data`.",
            ],
            examples: {
                js: js + `// example create body\nconst body = ${jsPayload(false)};\n\nconst record = await pb.collection('${name}').create(body);` + verifyJs,
                dart:
                    dart +
                    `// example create body\nfinal body = <String, dynamic>${json(examplePayload(false, true))};\n\nfinal record = await pb.collection('${name}').create(body: body, files: []);` +
                    verifyDart,
                python: py + `# example create body\nbody = ${python(examplePayload(false, true))}\n\nrecord = pb.collection('${name}').create(body)` + verifyPy,
            },
            endpoints: [
                {
                    method: "POST",
                    path: `${base}/records`,
                    superuserOnly,
                    pathParams: [],
                    queryParams: recordQueryParams(),
                    bodyParams: bodyRows(false),
                    responses,
                },
            ],
        };
    }

    function updatePage(): DocPage {
        const superuserOnly = collection.updateRule === null;
        const firstField = isAuth ? "email" : (bodyFields().find((f) => !f.primaryKey)?.name ?? "someField");
        const responses = [
            { status: 200, body: json(record) },
            error(400, "Failed to update record.", required(firstField)),
        ];
        if (superuserOnly) responses.push(error(403, "Only superusers can perform this action."));
        responses.push(error(404, "The requested resource wasn't found."));
        const description = [
            `Updates an existing ${name} record.`,
            "Body parameters can be sent as `application/json` or `multipart/form-data`. File upload is supported only via `multipart/form-data`.",
        ];
        if (isAuth) {
            description.push(
                "After a password change all tokens issued before for the record are invalidated; to stay signed in, authenticate again after the update call.",
            );
        }
        return {
            id: "update",
            title: "Update",
            description,
            examples: {
                js: js + `// example update body\nconst body = ${jsPayload(true)};\n\nconst record = await pb.collection('${name}').update('RECORD_ID', body);`,
                dart:
                    dart +
                    `// example update body\nfinal body = <String, dynamic>${json(examplePayload(true, true))};\n\nfinal record = await pb.collection('${name}').update(\n  'RECORD_ID',\n  body: body,\n  files: [],\n);`,
                python: py + `# example update body\nbody = ${python(examplePayload(true, true))}\n\nrecord = pb.collection('${name}').update('RECORD_ID', body)`,
            },
            endpoints: [
                {
                    method: "PATCH",
                    path: `${base}/records/:id`,
                    superuserOnly,
                    pathParams: [recordIdParam("update")],
                    queryParams: recordQueryParams(),
                    bodyParams: bodyRows(true),
                    responses,
                },
            ],
        };
    }

    function deletePage(): DocPage {
        const superuserOnly = collection.deleteRule === null;
        const responses: Response[] = [
            { status: 204, body: "null" },
            error(400, "Failed to delete record. Make sure that the record is not part of a required relation reference."),
        ];
        if (superuserOnly) responses.push(error(403, "Only superusers can access this action."));
        responses.push(error(404, "The requested resource wasn't found."));
        return {
            id: "delete",
            title: "Delete",
            description: [`Delete a single ${name} record.`],
            examples: {
                js: js + `await pb.collection('${name}').delete('RECORD_ID');`,
                dart: dart + `await pb.collection('${name}').delete('RECORD_ID');`,
                python: py + `pb.collection('${name}').delete('RECORD_ID')`,
            },
            endpoints: [
                {
                    method: "DELETE",
                    path: `${base}/records/:id`,
                    superuserOnly,
                    pathParams: [recordIdParam("delete")],
                    queryParams: [],
                    bodyParams: [],
                    responses,
                },
            ],
        };
    }

    function realtimePage(): DocPage {
        return {
            id: "realtime",
            title: "Realtime",
            description: [
                "Subscribe to realtime changes via Server-Sent Events (SSE). Events are sent for `create`, `update` and `delete` record operations.",
                `A subscription to a single record is checked against the collection's View rule${collection.viewRule === null ? " (superusers only)" : ""}; a subscription to the entire collection against its List/Search rule${collection.listRule === null ? " (superusers only)" : ""}.`,
            ],
            examples: {
                js:
                    js +
                    `// subscribe to changes in any ${name} record\npb.collection('${name}').subscribe('*', function (e) {\n  console.log(e.action);\n  console.log(e.record);\n}, { /* other options like: filter, expand, custom headers, etc. */ });\n\n` +
                    `// subscribe to changes only in the specified record\npb.collection('${name}').subscribe('RECORD_ID', function (e) {\n  console.log(e.action);\n  console.log(e.record);\n});\n\n` +
                    `// unsubscribe from all '${name}' subscriptions\npb.collection('${name}').unsubscribe();`,
                dart:
                    dart +
                    `// subscribe to changes in any ${name} record\npb.collection('${name}').subscribe('*', (e) {\n  print(e.action);\n  print(e.record);\n});\n\n` +
                    `// subscribe to changes only in the specified record\npb.collection('${name}').subscribe('RECORD_ID', (e) {\n  print(e.action);\n  print(e.record);\n});\n\n` +
                    `// unsubscribe from all '${name}' subscriptions\npb.collection('${name}').unsubscribe();`,
                python:
                    py +
                    `def on_change(e):\n    print(e.action)\n    print(e.record)\n\n` +
                    `# subscribe to changes in any ${name} record\npb.collection('${name}').subscribe(on_change)\n\n` +
                    `# subscribe to changes only in the specified record\npb.collection('${name}').subscribe_one('RECORD_ID', on_change)\n\n` +
                    `# unsubscribe from all '${name}' subscriptions\npb.collection('${name}').unsubscribe()`,
            },
            endpoints: [
                {
                    method: "GET/POST",
                    path: "/api/realtime",
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: [],
                    bodyParams: [],
                    responses: [
                        {
                            status: 200,
                            body: json({ action: "create", record }),
                        },
                    ],
                },
            ],
        };
    }

    function batchPage(): DocPage {
        return {
            id: "batch",
            title: "Batch",
            description: [
                "Batch and transactional create/update/upsert/delete of multiple records in a single request.",
                "Batch requests must be enabled in the application settings. Each request in the batch is checked against the rules of its collection, as if it was sent on its own.",
            ],
            examples: {
                js:
                    js +
                    `const batch = pb.createBatch();\n\nbatch.collection('${name}').create({ ... });\nbatch.collection('${name}').update('RECORD_ID', { ... });\nbatch.collection('${name}').delete('RECORD_ID');\nbatch.collection('${name}').upsert({ ... });\n\nconst result = await batch.send();`,
                dart:
                    dart +
                    `final batch = pb.createBatch();\n\nbatch.collection('${name}').create(body: { ... });\nbatch.collection('${name}').update('RECORD_ID', body: { ... });\nbatch.collection('${name}').delete('RECORD_ID');\nbatch.collection('${name}').upsert(body: { ... });\n\nfinal result = await batch.send();`,
                python:
                    py +
                    `batch = pb.create_batch()\n\nbatch.collection('${name}').create({...})\nbatch.collection('${name}').update('RECORD_ID', {...})\nbatch.collection('${name}').delete('RECORD_ID')\nbatch.collection('${name}').upsert({...})\n\nresult = batch.send()`,
            },
            endpoints: [
                {
                    method: "POST",
                    path: "/api/batch",
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: [],
                    bodyParams: [
                        {
                            name: "requests",
                            type: "Array<Request>",
                            required: true,
                            description: [
                                "The requests to run in one transaction. Each has a `url` (with query parameters if needed), a `method` (`POST` create, `PATCH` update, `PUT` upsert, `DELETE`), optional `headers` and a `body`.",
                                "Files go as `multipart/form-data`: the JSON in an `@jsonPayload` field and each file under `requests.N.fileField`.",
                            ],
                            example: json({
                                requests: [
                                    { method: "POST", url: `${base}/records?fields=id`, body: { someField: "test1" } },
                                    { method: "PATCH", url: `${base}/records/RECORD_ID`, body: { someField: "test2" } },
                                ],
                            }),
                        },
                    ],
                    responses: [
                        {
                            status: 200,
                            body: json([
                                { status: 200, body: record },
                                { status: 200, body: record },
                            ]),
                        },
                        error(400, "Batch transaction failed.", {
                            requests: {
                                "1": {
                                    code: "batch_request_failed",
                                    message: "Batch request failed.",
                                    response: { status: 400, message: "Failed to update record.", data: required("someField") },
                                },
                            },
                        }),
                        error(403, "Batch requests are not allowed."),
                    ],
                },
            ],
        };
    }

    // -- auth collections ------------------------------------------------------------------------

    function authConfig() {
        return collection.type === "auth" ? collection : null;
    }

    function authResponse(meta?: Record<string, Json>): string {
        return json({ token: "JWT_TOKEN", record, ...(meta ? { meta } : {}) });
    }

    function authMethodsPage(): DocPage {
        const auth = authConfig();
        const password = !!auth?.passwordAuth?.enabled;
        const oauth2 = !!auth?.oauth2?.enabled;
        return {
            id: "auth-methods",
            title: "List auth methods",
            description: [`Returns a public list with all allowed ${name} authentication methods.`],
            examples: {
                js: js + `const result = await pb.collection('${name}').listAuthMethods();`,
                dart: dart + `final result = await pb.collection('${name}').listAuthMethods();`,
                python: py + `result = pb.collection('${name}').list_auth_methods()`,
            },
            endpoints: [
                {
                    method: "GET",
                    path: `${base}/auth-methods`,
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: [fieldsParam],
                    bodyParams: [],
                    responses: [
                        {
                            status: 200,
                            body: json({
                                password: { identityFields: password ? (auth?.passwordAuth?.identityFields ?? []) : [], enabled: password },
                                oauth2: {
                                    providers: oauth2
                                        ? (auth?.oauth2?.providers ?? []).map((p) => ({
                                              name: p.name,
                                              displayName: p.displayName || p.name,
                                              state: "STATE",
                                              authURL: "https://example.com/authorize?…",
                                              codeVerifier: "CODE_VERIFIER",
                                              codeChallenge: "CODE_CHALLENGE",
                                              codeChallengeMethod: "S256",
                                          }))
                                        : [],
                                    enabled: oauth2,
                                },
                                mfa: { enabled: !!auth?.mfa?.enabled, duration: auth?.mfa?.enabled ? auth.mfa.duration : 0 },
                                otp: { enabled: !!auth?.otp?.enabled, duration: auth?.otp?.enabled ? auth.otp.duration : 0 },
                            }),
                        },
                        error(404, "Missing collection context."),
                    ],
                },
            ],
        };
    }

    function passwordPage(): DocPage {
        const auth = authConfig();
        const identities = auth?.passwordAuth?.identityFields ?? ["email"];
        const identityLabel = identities.length ? identities.join("/") : "email";
        const example = identities.includes("email") || !identities.length ? "test@example.com" : "YOUR_" + identities[0].toUpperCase();
        return {
            id: "auth-with-password",
            title: "Auth with password",
            disabled: auth?.passwordAuth?.enabled ? undefined : "Not enabled for the collection",
            description: [`Authenticate with combination of ${identityLabel} and password.`],
            examples: {
                js:
                    js +
                    `const authData = await pb.collection('${name}').authWithPassword(\n  '${example}',\n  'YOUR_PASSWORD',\n);\n\n` +
                    `// after the above you can also access the auth data from the authStore\nconsole.log(pb.authStore.isValid);\nconsole.log(pb.authStore.token);\nconsole.log(pb.authStore.record.id);\n\n// "logout"\npb.authStore.clear();`,
                dart:
                    dart +
                    `final authData = await pb.collection('${name}').authWithPassword(\n  '${example}',\n  'YOUR_PASSWORD',\n);\n\n` +
                    `// after the above you can also access the auth data from the authStore\nprint(pb.authStore.isValid);\nprint(pb.authStore.token);\nprint(pb.authStore.record.id);\n\n// "logout"\npb.authStore.clear();`,
                python:
                    py +
                    `auth_data = pb.collection('${name}').auth_with_password(\n    '${example}',\n    'YOUR_PASSWORD',\n)\n\n` +
                    `# after the above you can also access the auth data from the auth_store\nprint(pb.auth_store.is_valid)\nprint(pb.auth_store.token)\nprint(pb.auth_store.record.id)\n\n# "logout"\npb.auth_store.clear()`,
            },
            endpoints: [
                {
                    method: "POST",
                    path: `${base}/auth-with-password`,
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: recordQueryParams(),
                    bodyParams: [
                        { name: "identity", type: "String", required: true, description: [`The ${identityLabel} of the record to authenticate.`] },
                        {
                            name: "identityField",
                            type: "String",
                            required: false,
                            description: ["A specific identity field to use (by default the first matching one of the identity fields)."],
                        },
                        { name: "password", type: "String", required: true, description: ["The auth record password."] },
                    ],
                    responses: [{ status: 200, body: authResponse() }, error(400, "Failed to authenticate.", required("identity"))],
                },
            ],
        };
    }

    function oauth2Page(): DocPage {
        const auth = authConfig();
        return {
            id: "auth-with-oauth2",
            title: "Auth with OAuth2",
            disabled: auth?.oauth2?.enabled ? undefined : "Not enabled for the collection",
            description: [
                "Authenticate with an OAuth2 provider and returns a new auth token and record data.",
                "For more details please check the OAuth2 integration documentation.",
            ],
            examples: {
                js:
                    js +
                    `// OAuth2 authentication with a single realtime call.\n//\n// Make sure to register ${baseURL}/api/oauth2-redirect\n// as redirect url in the OAuth2 app configuration.\nconst authData = await pb.collection('${name}').authWithOAuth2({ provider: 'google' });\n\n` +
                    `// OR authenticate with manual OAuth2 code exchange\n// const authData = await pb.collection('${name}').authWithOAuth2Code(...);\n\n` +
                    `// after the above you can also access the auth data from the authStore\nconsole.log(pb.authStore.isValid);\nconsole.log(pb.authStore.token);\nconsole.log(pb.authStore.record.id);\n\n// "logout"\npb.authStore.clear();`,
                dart:
                    dart +
                    `// OAuth2 authentication with a single realtime call.\n//\n// Make sure to register ${baseURL}/api/oauth2-redirect\n// as redirect url in the OAuth2 app configuration.\nfinal authData = await pb.collection('${name}').authWithOAuth2('google', (url) async {\n  // or use something like flutter_custom_tabs to make the transitions between native and web content more seamless\n  await launchUrl(url);\n});\n\n` +
                    `// after the above you can also access the auth data from the authStore\nprint(pb.authStore.isValid);\nprint(pb.authStore.token);\nprint(pb.authStore.record.id);\n\n// "logout"\npb.authStore.clear();`,
                python:
                    py +
                    `# manual OAuth2 code exchange (code and code verifier from your OAuth2 redirect handler)\nauth_data = pb.collection('${name}').auth_with_oauth2(\n    'google',\n    'CODE',\n    'CODE_VERIFIER',\n    'REDIRECT_URL',\n)\n\n` +
                    `print(pb.auth_store.is_valid)\nprint(pb.auth_store.token)\nprint(pb.auth_store.record.id)`,
            },
            endpoints: [
                {
                    method: "POST",
                    path: `${base}/auth-with-oauth2`,
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: recordQueryParams(),
                    bodyParams: [
                        { name: "provider", type: "String", required: true, description: ["The name of the OAuth2 client provider (e.g. \"google\")."] },
                        { name: "code", type: "String", required: true, description: ["The authorization code returned from the initial request."] },
                        { name: "codeVerifier", type: "String", required: true, description: ["The code verifier sent with the initial request as part of the code_challenge."] },
                        { name: "redirectURL", type: "String", required: true, description: ["The redirect url sent with the initial request."] },
                        {
                            name: "createData",
                            type: "Object",
                            required: false,
                            description: [
                                "Optional data used when creating the auth record on OAuth2 sign-up.",
                                "The created auth record must comply with the same requirements and validations as the regular create action. Files are not supported.",
                            ],
                        },
                    ],
                    responses: [
                        {
                            status: 200,
                            body: authResponse({
                                id: "abc123",
                                name: "John Doe",
                                username: "john.doe",
                                email: "test@example.com",
                                avatarURL: "https://example.com/avatar.png",
                                accessToken: "…",
                                refreshToken: "…",
                                expiry: "2022-01-01 10:00:00.123Z",
                                isNew: false,
                                rawUser: {},
                            }),
                        },
                        error(400, "An error occurred while submitting the form.", required("provider")),
                    ],
                },
            ],
        };
    }

    function otpPage(): DocPage {
        const auth = authConfig();
        return {
            id: "auth-with-otp",
            title: "Auth with OTP",
            disabled: auth?.otp?.enabled ? undefined : "Not enabled for the collection",
            description: [
                "Authenticate with a one-time/short-lived password (OTP).",
                "First request an OTP for an email (the password is sent there), then authenticate with the returned `otpId` and the password from the email.",
            ],
            examples: {
                js:
                    js +
                    `// send OTP email to the provided auth record\nconst req = await pb.collection('${name}').requestOTP('test@example.com');\n\n// ... show a screen/popup to enter the password from the email ...\n\n` +
                    `// authenticate with the requested OTP id and the email password\nconst authData = await pb.collection('${name}').authWithOTP(\n  req.otpId,\n  'YOUR_OTP',\n);\n\nconsole.log(pb.authStore.isValid);\nconsole.log(pb.authStore.token);\nconsole.log(pb.authStore.record.id);`,
                dart:
                    dart +
                    `// send OTP email to the provided auth record\nfinal req = await pb.collection('${name}').requestOTP('test@example.com');\n\n// ... show a screen/popup to enter the password from the email ...\n\n` +
                    `// authenticate with the requested OTP id and the email password\nfinal authData = await pb.collection('${name}').authWithOTP(\n  req.otpId,\n  'YOUR_OTP',\n);\n\nprint(pb.authStore.isValid);\nprint(pb.authStore.token);\nprint(pb.authStore.record.id);`,
                python:
                    py +
                    `# the Python SDK has no OTP helpers: call the endpoints directly\nreq = pb.send('${base}/request-otp', {\n    'method': 'POST',\n    'body': {'email': 'test@example.com'},\n})\n\n# ... ask for the password from the email ...\n\n` +
                    `auth_data = pb.send('${base}/auth-with-otp', {\n    'method': 'POST',\n    'body': {'otpId': req['otpId'], 'password': 'YOUR_OTP'},\n})\nprint(auth_data['token'])`,
            },
            endpoints: [
                {
                    title: "OTP request",
                    method: "POST",
                    path: `${base}/request-otp`,
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: [],
                    bodyParams: [{ name: "email", type: "String", required: true, description: ["The auth record email address to send the OTP request (if exists)."] }],
                    responses: [
                        { status: 200, body: json({ otpId: "OTP_ID" }) },
                        error(400, "An error occurred while validating the submitted data.", {
                            email: { code: "validation_is_email", message: "Must be a valid email address." },
                        }),
                        error(429, "You've send too many OTP requests, please try again later."),
                    ],
                },
                {
                    title: "OTP auth",
                    method: "POST",
                    path: `${base}/auth-with-otp`,
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: recordQueryParams(),
                    bodyParams: [
                        { name: "otpId", type: "String", required: true, description: ["The id of the OTP request."] },
                        { name: "password", type: "String", required: true, description: ["The one-time password."] },
                    ],
                    responses: [{ status: 200, body: authResponse() }, error(400, "Failed to authenticate.", required("otpId"))],
                },
            ],
        };
    }

    function refreshPage(): DocPage {
        return {
            id: "auth-refresh",
            title: "Auth refresh",
            description: [
                "Returns a new auth response (token and record data) for an already authenticated record.",
                "This method is usually called by users on page/screen reload to ensure that the previously stored data in `pb.authStore` is still valid and up-to-date.",
            ],
            examples: {
                js: js + `const authData = await pb.collection('${name}').authRefresh();\n\n// after the above you can also access the refreshed auth data from the authStore\nconsole.log(pb.authStore.isValid);\nconsole.log(pb.authStore.token);\nconsole.log(pb.authStore.record.id);`,
                dart: dart + `final authData = await pb.collection('${name}').authRefresh();\n\n// after the above you can also access the refreshed auth data from the authStore\nprint(pb.authStore.isValid);\nprint(pb.authStore.token);\nprint(pb.authStore.record.id);`,
                python: py + `auth_data = pb.collection('${name}').auth_refresh()\n\n# after the above you can also access the refreshed auth data from the auth_store\nprint(pb.auth_store.is_valid)\nprint(pb.auth_store.token)\nprint(pb.auth_store.record.id)`,
            },
            endpoints: [
                {
                    method: "POST",
                    path: `${base}/auth-refresh`,
                    superuserOnly: false,
                    note: "Requires record Authorization:TOKEN header",
                    pathParams: [],
                    queryParams: recordQueryParams(),
                    bodyParams: [],
                    responses: [
                        { status: 200, body: authResponse() },
                        error(401, "The request requires valid record authorization token to be set."),
                        error(403, "The authorized record model is not allowed to perform this action."),
                        error(404, "Missing auth record context."),
                    ],
                },
            ],
        };
    }

    function twoStep(
        id: string,
        title: string,
        description: string[],
        examples: Examples,
        request: { path: string; params: Param[]; extra?: Response[]; note?: string },
        confirm: { path: string; params: Param[] },
    ): DocPage {
        return {
            id,
            title,
            description,
            examples,
            endpoints: [
                {
                    title: "Request",
                    method: "POST",
                    path: `${base}/${request.path}`,
                    superuserOnly: false,
                    note: request.note,
                    pathParams: [],
                    queryParams: [],
                    bodyParams: request.params,
                    responses: [
                        { status: 204, body: "null" },
                        error(400, "An error occurred while validating the submitted data.", required(request.params[0].name)),
                        ...(request.extra ?? []),
                    ],
                },
                {
                    title: "Confirm",
                    method: "POST",
                    path: `${base}/${confirm.path}`,
                    superuserOnly: false,
                    pathParams: [],
                    queryParams: [],
                    bodyParams: confirm.params,
                    responses: [
                        { status: 204, body: "null" },
                        error(400, "An error occurred while validating the submitted data.", required("token")),
                    ],
                },
            ],
        };
    }

    function verificationPage(): DocPage {
        return twoStep(
            "verification",
            "Verification",
            [`Sends ${name} account verification request.`, "The email holds a link with a verification token, which the confirm endpoint accepts."],
            {
                js: js + `await pb.collection('${name}').requestVerification('test@example.com');\n\n// ---\n// (optional) in your custom confirmation page:\n// ---\n\nawait pb.collection('${name}').confirmVerification('VERIFICATION_TOKEN');`,
                dart: dart + `await pb.collection('${name}').requestVerification('test@example.com');\n\n// ---\n// (optional) in your custom confirmation page:\n// ---\n\nawait pb.collection('${name}').confirmVerification('VERIFICATION_TOKEN');`,
                python: py + `pb.collection('${name}').request_verification('test@example.com')\n\n# ---\n# (optional) in your custom confirmation page:\n# ---\n\npb.collection('${name}').confirm_verification('VERIFICATION_TOKEN')`,
            },
            { path: "request-verification", params: [{ name: "email", type: "String", required: true, description: ["The auth record email address to send the verification request (if exists)."] }] },
            { path: "confirm-verification", params: [{ name: "token", type: "String", required: true, description: ["The token from the verification request email."] }] },
        );
    }

    function passwordResetPage(): DocPage {
        return twoStep(
            "password-reset",
            "Password reset",
            [
                `Sends ${name} password reset email request.`,
                "On successful password reset all previously issued auth tokens for the specific record will be automatically invalidated.",
            ],
            {
                js: js + `await pb.collection('${name}').requestPasswordReset('test@example.com');\n\n// ---\n// (optional) in your custom confirmation page:\n// ---\n\n// note: all previous user auth tokens will be invalidated\nawait pb.collection('${name}').confirmPasswordReset(\n  'RESET_TOKEN',\n  'NEW_PASSWORD',\n  'NEW_PASSWORD_CONFIRM',\n);`,
                dart: dart + `await pb.collection('${name}').requestPasswordReset('test@example.com');\n\n// ---\n// (optional) in your custom confirmation page:\n// ---\n\n// note: all previous user auth tokens will be invalidated\nawait pb.collection('${name}').confirmPasswordReset(\n  'RESET_TOKEN',\n  'NEW_PASSWORD',\n  'NEW_PASSWORD_CONFIRM',\n);`,
                python: py + `pb.collection('${name}').request_password_reset('test@example.com')\n\n# ---\n# (optional) in your custom confirmation page:\n# ---\n\n# note: all previous user auth tokens will be invalidated\npb.collection('${name}').confirm_password_reset(\n    'RESET_TOKEN',\n    'NEW_PASSWORD',\n    'NEW_PASSWORD_CONFIRM',\n)`,
            },
            { path: "request-password-reset", params: [{ name: "email", type: "String", required: true, description: ["The auth record email address to send the password reset request (if exists)."] }] },
            {
                path: "confirm-password-reset",
                params: [
                    { name: "token", type: "String", required: true, description: ["The token from the password reset request email."] },
                    { name: "password", type: "String", required: true, description: ["The new password to set."] },
                    { name: "passwordConfirm", type: "String", required: true, description: ["The new password confirmation."] },
                ],
            },
        );
    }

    function emailChangePage(): DocPage {
        return twoStep(
            "email-change",
            "Email change",
            [
                `Sends ${name} email change request.`,
                "The request needs the record's auth token; the new address receives a link with a confirmation token. On confirmation all previously issued auth tokens of the record are invalidated.",
            ],
            {
                js: js + `await pb.collection('${name}').authWithPassword('test@example.com', '1234567890');\n\nawait pb.collection('${name}').requestEmailChange('new@example.com');\n\n// ---\n// (optional) in your custom confirmation page:\n// ---\n\n// note: all previous user auth tokens will be invalidated\nawait pb.collection('${name}').confirmEmailChange(\n  'EMAIL_CHANGE_TOKEN',\n  'YOUR_PASSWORD',\n);`,
                dart: dart + `await pb.collection('${name}').authWithPassword('test@example.com', '1234567890');\n\nawait pb.collection('${name}').requestEmailChange('new@example.com');\n\n// ---\n// (optional) in your custom confirmation page:\n// ---\n\n// note: all previous user auth tokens will be invalidated\nawait pb.collection('${name}').confirmEmailChange(\n  'EMAIL_CHANGE_TOKEN',\n  'YOUR_PASSWORD',\n);`,
                python: py + `pb.collection('${name}').auth_with_password('test@example.com', '1234567890')\n\npb.collection('${name}').request_email_change('new@example.com')\n\n# ---\n# (optional) in your custom confirmation page:\n# ---\n\n# note: all previous user auth tokens will be invalidated\npb.collection('${name}').confirm_email_change(\n    'EMAIL_CHANGE_TOKEN',\n    'YOUR_PASSWORD',\n)`,
            },
            {
                path: "request-email-change",
                note: "Requires record Authorization:TOKEN header",
                params: [{ name: "newEmail", type: "String", required: true, description: ["The new email address to send the change email request."] }],
                extra: [
                    error(401, "The request requires valid record authorization token to be set."),
                    error(403, "The authorized record model is not allowed to perform this action."),
                ],
            },
            {
                path: "confirm-email-change",
                params: [
                    { name: "token", type: "String", required: true, description: ["The token from the change email request email."] },
                    { name: "password", type: "String", required: true, description: ["The account password to confirm the email change."] },
                ],
            },
        );
    }
}
