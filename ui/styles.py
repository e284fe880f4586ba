"""The few styles the theme cannot set, injected once per run by app.py."""

from __future__ import annotations

import streamlit as st

# - Options of a locked (disabled) radio, and labels of disabled widgets, are drawn at 40% opacity,
#   2.3:1 on white; read-only answers must stay readable, so they keep a 7:1 grey
#   (the dimmed radio circle still shows it is locked).
# - Keyboard focus: one strong ring (3 px, 6.7:1 on white) on whatever has it; a radio's or checkbox's
#   input is hidden, so its label carries the ring.
# - Printing (A4): only the page's content, without the sidebar, the toolbar or forms that change things;
#   charts shrink to the page width.
_CSS = """
<style>
:focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
label:has(input:focus-visible) { outline: 3px solid #1d4ed8; outline-offset: 2px; border-radius: 4px; }
label[data-baseweb="radio"]:has(input:disabled) [data-testid="stMarkdownContainer"] p,
[data-testid="stWidgetLabel"][disabled], [data-testid="stWidgetLabel"][disabled] p,
.stElementContainer:has(:disabled, [aria-disabled="true"]) [data-testid="stWidgetLabel"],
.stElementContainer:has(:disabled, [aria-disabled="true"]) [data-testid="stWidgetLabel"] p {
  color: #595959 !important;
}
@media print {
  @page { size: A4; margin: 15mm; }
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stForm"],
  [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"], .st-key-reopen {
    display: none !important;
  }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {
    margin: 0 !important; padding: 0 !important; max-width: 100% !important;
  }
  .stPlotlyChart, .js-plotly-plot, [data-testid="stVegaLiteChart"] { max-width: 100% !important; break-inside: avoid; }
  .js-plotly-plot svg { max-width: 100% !important; height: auto !important; }
}
</style>
"""


def inject() -> None:
    st.html(_CSS)
