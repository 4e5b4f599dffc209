import type { ProxySettings } from "../bindings/ProxySettings";

/** The proxy the app uses, as its HTTP client reads it; passwords hidden. */
export function ProxyView({ proxy }: { proxy: ProxySettings }) {
  return (
    <>
      <p className="proxy-summary" data-testid="proxy-summary">
        {proxy.summary}
      </p>
      {proxy.variables.length > 0 ? (
        <table className="about-table" data-testid="proxy-variables">
          <caption className="visually-hidden">Proxy settings of this computer</caption>
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {proxy.variables.map((v) => (
              <tr key={v.name}>
                <th scope="row" className="mono">
                  {v.name}
                </th>
                <td>
                  <span className="mono">{v.value || "(empty)"}</span>
                  {v.ignored && <span className="muted proxy-ignored">{v.ignored}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">None of HTTPS_PROXY, HTTP_PROXY, ALL_PROXY or NO_PROXY is set for D365 Connect.</p>
      )}
      <p className="about-help">
        D365 Connect reads these settings of your computer when it starts, and never shows a proxy password. To change them, ask
        your IT contact, then restart D365 Connect.
      </p>
    </>
  );
}
