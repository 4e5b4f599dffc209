// Every field of one row: its label, the value as the grid shows it, and
// the value exactly as the service sent it.
import { useEffect, useId, useRef, useState } from "react";
import type { Column } from "../bindings/Column";
import { readingOrder } from "./columns";
import { formatCount } from "./count";
import { cellClass, formatterFor, plainText } from "./format";
import type { Row } from "./usePagedTable";

interface Props {
  row: Row;
  /** Position in the table, from 0. */
  index: number;
  /** Every column of the entity, for labels and formatting. */
  columns: readonly Column[];
  onClose: () => void;
}

const raw = (value: unknown) => JSON.stringify(value) ?? "undefined";

export function RecordPanel({ row, index, columns, onClose }: Props) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  // Another row starts with no copy status: set while rendering, as React
  // advises for state that follows a prop, not one render late in an effect.
  const [copiedRow, setCopiedRow] = useState(index);
  if (copiedRow !== index) {
    setCopiedRow(index);
    setCopied("idle");
  }

  // Focus follows the panel so the keyboard reaches Copy and Close.
  useEffect(() => {
    heading.current?.focus();
  }, [index]);

  // In the grid's order: what people read first, IDs after.
  const known = readingOrder(columns.filter((c) => c.name in row));
  const names = new Set(known.map((c) => c.name));
  // Annotations (@odata.etag, formatted values) and anything the metadata
  // did not declare are shown too, under their own names.
  const extra = Object.keys(row).filter((k) => !names.has(k));

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(JSON.stringify(row, null, 2));
      setCopied("done");
    } catch {
      setCopied("failed");
    }
  };

  return (
    <aside
      className="record-panel"
      aria-labelledby={`${id}-title`}
      data-testid="record-panel"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="record-head">
        <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
          Row {formatCount(index + 1)}
        </h2>
        <button type="button" className="button small" data-testid="record-close" onClick={onClose} aria-label="Close row details">
          Close
        </button>
      </header>
      <div className="record-actions">
        <button type="button" className="button small" data-testid="copy-json" onClick={copy}>
          Copy as JSON
        </button>
        <span className="muted" aria-live="polite" data-testid="copy-status">
          {copied === "done" ? "Copied to the clipboard." : copied === "failed" ? "Copying is not available here." : ""}
        </span>
      </div>
      <dl className="record-fields">
        {known.map((c) => (
          <Field key={c.name} label={c.label} name={c.name} text={formatterFor(c)(row[c.name])} value={row[c.name]} className={cellClass(c)} />
        ))}
        {extra.map((name) => (
          <Field key={name} label={name} name={name} text={plainText(row[name])} value={row[name]} className="" />
        ))}
      </dl>
    </aside>
  );
}

interface FieldProps {
  label: string;
  name: string;
  text: string;
  value: unknown;
  className: string;
}

function Field({ label, name, text, value, className }: FieldProps) {
  return (
    <div className="record-field">
      <dt>
        {label}
        {label !== name && <span className="record-name">{name}</span>}
      </dt>
      <dd>
        <span className={`record-value ${className}`}>{text}</span>
        <code className="record-raw" aria-label={`Raw value of ${label}`}>
          {raw(value)}
        </code>
      </dd>
    </div>
  );
}
