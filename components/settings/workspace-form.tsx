"use client";

import { useId } from "react";

import { addWorkspace, editWorkspace } from "@/app/settings/workspaces/actions";
import { Button } from "@/components/ui/button";
import { DialogClose, DialogFooter } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

import { FormError } from "./form-error";
import { useSettingsAction } from "./use-settings-action";
import { DEFAULT_BASE_URL } from "./workspace-defaults";

/** What the edit form may know of a workspace: never its credentials, only the key's last 4. */
export interface EditableWorkspace {
  id: string;
  name: string;
  slug: string;
  baseUrl: string;
  apiKeyLast4: string;
  defaultAgentId: string | null;
}

const KEEP = "Leave blank to keep the current one.";

export function WorkspaceForm({ workspace, onSaved }: { workspace?: EditableWorkspace; onSaved: () => void }) {
  const id = useId();
  const { error, pending, formProps } = useSettingsAction(workspace ? editWorkspace : addWorkspace, { onSuccess: onSaved });
  const editing = workspace !== undefined;
  return (
    <form {...formProps} className="flex flex-col gap-4">
      {workspace ? <input type="hidden" name="workspaceId" value={workspace.id} /> : null}
      <Field id={`${id}-name`} label="Name">
        <Input id={`${id}-name`} name="name" required maxLength={80} defaultValue={workspace?.name} autoComplete="off" />
      </Field>
      <Field
        id={`${id}-slug`}
        label="Slug"
        hint={
          editing
            ? "Part of its links (/w/slug/…): changing it breaks links already shared."
            : "Part of its links (/w/slug/…): lowercase letters, digits and dashes."
        }
      >
        <Input
          id={`${id}-slug`}
          name="slug"
          required
          maxLength={40}
          defaultValue={workspace?.slug}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-slug-hint`}
          className="font-mono"
        />
      </Field>
      <Field id={`${id}-url`} label="Base URL" hint={editing ? "Changing it needs the API key again." : undefined}>
        <Input
          id={`${id}-url`}
          name="baseUrl"
          type="url"
          required
          defaultValue={workspace?.baseUrl ?? DEFAULT_BASE_URL}
          spellCheck={false}
          aria-describedby={editing ? `${id}-url-hint` : undefined}
        />
      </Field>
      <Field id={`${id}-ws`} label="Trillet workspace ID" hint={editing ? KEEP : "Stored encrypted and never shown again."}>
        <SecretInput id={`${id}-ws`} name="trilletWorkspaceId" editing={editing} />
      </Field>
      <Field
        id={`${id}-key`}
        label="API key"
        hint={
          editing
            ? `${workspace.apiKeyLast4 ? `The current key ends in ${workspace.apiKeyLast4}. ` : ""}${KEEP}`
            : "Stored encrypted; of a key of 16 characters or more, only the last 4 are shown again."
        }
      >
        <SecretInput id={`${id}-key`} name="apiKey" editing={editing} minLength={8} />
      </Field>
      <Field
        id={`${id}-agent`}
        label="Default agent for retries (optional)"
        hint="The Trillet agent a retry batch starts with; its dialog can change it."
      >
        <Input
          id={`${id}-agent`}
          name="defaultAgentId"
          maxLength={200}
          defaultValue={workspace?.defaultAgentId ?? ""}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-agent-hint`}
          className="font-mono"
        />
      </Field>
      <FormError error={error} />
      <DialogFooter>
        <DialogClose asChild>
          <Button variant="outline">Cancel</Button>
        </DialogClose>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : editing ? "Save changes" : "Add workspace"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Write-only: rendered without a value on every open, masked, and kept out of password managers.
 * Whatever is typed stays in this browser until the dialog closes.
 */
function SecretInput({ id, name, editing, minLength }: { id: string; name: string; editing: boolean; minLength?: number }) {
  return (
    <Input
      id={id}
      name={name}
      type="password"
      required={!editing}
      minLength={minLength}
      placeholder={editing ? "Unchanged" : undefined}
      autoComplete="off"
      spellCheck={false}
      aria-describedby={`${id}-hint`}
      data-1p-ignore=""
      data-lpignore="true"
      data-bwignore=""
      className="font-mono"
    />
  );
}
