import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { applyTheme, loadTheme } from "./theme";
// The app's styles, in cascade order.
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/components.css";
import "./styles/start.css";
import "./styles/steps.css";

applyTheme(loadTheme());

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
