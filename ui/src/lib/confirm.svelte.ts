// The one confirmation dialog. `ask()` resolves true on yes; with `action`, the dialog runs it
// with a spinner and stays open when it fails (the error is reported by the action itself).
// `typed` asks for a word to be typed first (deleting a collection asks for its name).

export interface Question {
    text: string;
    detail?: string;
    yes?: string;
    no?: string;
    danger?: boolean;
    typed?: string;
    action?: () => Promise<unknown>;
}

interface Pending extends Question {
    resolve: (answer: boolean) => void;
}

export const confirmation = $state<{ current: Pending | null }>({ current: null });

export function ask(question: Question): Promise<boolean> {
    confirmation.current?.resolve(false);
    return new Promise((resolve) => {
        confirmation.current = { ...question, resolve };
    });
}

/** The usual guard of a form with unsaved changes. */
export function discardChanges(): Promise<boolean> {
    return ask({ text: "You have unsaved changes. Do you really want to discard them?", yes: "Yes, discard", danger: true });
}
