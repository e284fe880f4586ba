"""SEND Review: the Streamlit entry point. Navigation is built from the signed-in user's role."""

from __future__ import annotations

import streamlit as st

from ui import auth, nav, styles

st.set_page_config(page_title="SEND Review", page_icon=":material/diversity_3:", layout="wide")
styles.inject()

actor = auth.current_actor()
if actor is None:
    pages = auth.signed_out_pages()
else:
    pages = nav.pages_for(actor) + auth.signed_in_pages(actor)
    auth.render_account_box(actor)
st.navigation(pages).run()
