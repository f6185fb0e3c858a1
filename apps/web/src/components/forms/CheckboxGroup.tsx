/**
 * A fieldset of checkboxes that picks some of `options`. With `codes`, each option shows its value
 * as code and its label as the description after it (event types, token scopes).
 */
export function CheckboxGroup({
  legend,
  options,
  codes = false,
  selected,
  onChange,
}: {
  legend: string;
  options: { value: string; label: string }[];
  codes?: boolean;
  selected: string[];
  onChange: (next: string[]) => void;
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium">{legend}</legend>
      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-2">
        {options.map((o) => (
          <label key={o.value} className="inline-flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              checked={selected.includes(o.value)}
              onChange={(e) =>
                onChange(e.target.checked ? [...selected, o.value] : selected.filter((v) => v !== o.value))
              }
            />
            {codes ? (
              <>
                <code className="font-mono">{o.value}</code>
                <span className="text-slate-600">{o.label}</span>
              </>
            ) : (
              o.label
            )}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
