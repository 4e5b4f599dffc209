import { useId, useState } from "react";
import type { Bundled } from "../bindings/Bundled";
import type { Licences } from "../bindings/Licences";

/** Every bundled package with its version and licence, searchable. */
export function LicenceList({ licences }: { licences: Licences }) {
  const id = useId();
  const [find, setFind] = useState("");
  const needle = find.trim().toLowerCase();
  const matches = (p: Bundled) => !needle || p.name.toLowerCase().includes(needle) || p.licence.toLowerCase().includes(needle);
  const groups = [
    { id: "rust", title: "In the app (Rust crates)", packages: licences.rust.filter(matches) },
    { id: "npm", title: "In its window (npm packages)", packages: licences.npm.filter(matches) },
  ];
  const total = licences.rust.length + licences.npm.length;
  const shown = groups.reduce((n, g) => n + g.packages.length, 0);

  return (
    <>
      <p>
        D365 Connect is built with open-source software. These are the {total} packages it includes, each with its licence (as an
        SPDX expression: “Apache-2.0 OR MIT” means either licence applies).
      </p>
      <label className="about-label" htmlFor={`${id}-find`}>
        Find a package or a licence
      </label>
      <input
        id={`${id}-find`}
        className="about-search"
        type="search"
        autoComplete="off"
        spellCheck={false}
        value={find}
        data-testid="licence-search"
        onChange={(e) => setFind(e.target.value)}
      />
      <p className="muted" aria-live="polite" data-testid="licence-count">
        {needle ? `${shown} of ${total} packages match.` : `${total} packages.`}
      </p>
      {/* Only the list scrolls: the search stays in view. Focusable, so
          the keyboard can scroll it too. */}
      <div className="licence-scroll" tabIndex={0} role="region" aria-label="Packages and their licences">
        {groups.map(
          (g) =>
            g.packages.length > 0 && (
              <section key={g.id} aria-labelledby={`${id}-${g.id}`}>
                <h3 id={`${id}-${g.id}`}>
                  {g.title} <span className="muted">({g.packages.length})</span>
                </h3>
                <table className="about-table licence-table" data-testid={`licences-${g.id}`}>
                  <thead>
                    <tr>
                      <th scope="col">Package</th>
                      <th scope="col">Version</th>
                      <th scope="col">Licence</th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.packages.map((p) => (
                      <tr key={`${p.name}@${p.version}`} data-package={p.name}>
                        <th scope="row">{p.name}</th>
                        <td className="mono">{p.version}</td>
                        <td>{p.licence}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ),
        )}
      </div>
    </>
  );
}
