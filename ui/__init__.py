"""Streamlit pages, one module each. They call framework, scoring, data and exports; no SQL, no scoring."""
