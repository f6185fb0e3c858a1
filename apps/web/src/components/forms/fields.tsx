'use client';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

interface FieldProps {
  label: string;
  id: string;
  hint?: ReactNode;
  /** The control's width (and font) classes, default `w-full`: e.g. `w-64` in a row of filters, `w-44 font-mono`. */
  controlClass?: string;
}

/** A label above a control, with room for a description the control points to. */
function Field({ label, id, hint, children }: Omit<FieldProps, 'controlClass'> & { children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="text-sm text-slate-600">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A labelled text input with room for a description. */
export function TextField({
  label,
  id,
  hint,
  controlClass = 'w-full',
  ...props
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} id={id} hint={hint}>
      <input
        id={id}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className={`block ${controlClass} rounded-md border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 placeholder:text-slate-500`}
        {...props}
      />
    </Field>
  );
}

/** A labelled select (its options are the children) with room for a description. */
export function SelectField({
  label,
  id,
  hint,
  controlClass = 'w-full',
  children,
  ...props
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field label={label} id={id} hint={hint}>
      <select
        id={id}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className={`block ${controlClass} rounded-md border border-slate-400 bg-white px-3 py-2 text-base text-slate-900`}
        {...props}
      >
        {children}
      </select>
    </Field>
  );
}

/** Button styles used across the app. */
export const buttonClass = {
  primary:
    'inline-flex items-center justify-center gap-2 rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white hover:bg-blue-800 disabled:cursor-not-allowed disabled:bg-slate-400',
  secondary:
    'inline-flex items-center justify-center gap-2 rounded-md border border-slate-400 bg-white px-4 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-100 disabled:cursor-not-allowed disabled:text-slate-400',
  danger:
    'inline-flex items-center justify-center gap-2 rounded-md bg-red-700 px-4 py-2 text-sm font-semibold text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:bg-slate-400',
  small:
    'inline-flex items-center justify-center gap-1 rounded border border-slate-400 bg-white px-2 py-1 text-xs font-semibold text-slate-800 hover:bg-slate-100 disabled:cursor-not-allowed disabled:text-slate-400',
} as const;
