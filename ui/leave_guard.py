"""Typed text is delivered before the page moves: a small script in the browser.

A Streamlit text box sends what was typed only when it loses focus. Leaving by a link (the sidebar,
"See results so far") or reloading can win that race: the browser moves on and the note never reaches
the server. This script, put on the questionnaire page, holds such a move until the note is delivered:

* a link clicked while a box holds typing not yet sent: the box is made to send it, the script waits
  for the app to finish saving (its run state goes busy, then idle), then follows the link;
* a reload or closing the tab at that moment: the browser asks "Leave site?", so the user is told
  that something may not be saved; the typed text is also kept in the tab's sessionStorage and, when
  the page is back after a reload, put into its box again and sent (the box is found by its widget
  key, which names the review, the question and the stored version, so a draft never lands elsewhere).

Buttons on the page (next / previous domain, the domain list) need none of this: their click travels
in the same session, after the box's own message.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """<script>
(() => {
  if (window.__sendReviewLeaveGuard) return;
  window.__sendReviewLeaveGuard = true;
  let typing = null;  // the text box typed into whose text has not been sent yet
  let leaving = false;
  const FIELDS = 'textarea, input[type="text"], input[type="number"]';
  const DRAFT = 'send-review-draft:';
  const app = () => document.querySelector('[data-testid="stApp"]');
  const state = () => (app() ? app().getAttribute('data-test-script-state') : 'notRunning');
  const keyOf = (box) => {
    const holder = box.closest('[class*="st-key-"]');
    const found = holder ? [...holder.classList].find((c) => c.startsWith('st-key-')) : null;
    return found ? DRAFT + found : null;
  };
  window.addEventListener('input', (e) => {
    if (!e.target.matches || !e.target.matches(FIELDS)) return;
    typing = e.target;
    const key = keyOf(typing);
    if (key) sessionStorage.setItem(key, typing.value);  // survives a reload of this tab
  }, true);
  window.addEventListener('focusout', (e) => {
    if (e.target !== typing || leaving) return;
    const key = keyOf(typing);
    if (key) sessionStorage.removeItem(key);  // sent as the box lost focus
    typing = null;
  }, true);
  const linkOf = (e) => (e.target.closest ? e.target.closest('a[href]') : null);
  // Keep the focus in the box on pressing a link, so the click below decides when the text is sent.
  window.addEventListener('mousedown', (e) => { if (typing && linkOf(e)) e.preventDefault(); }, true);
  window.addEventListener('click', (e) => {
    const link = linkOf(e);
    if (!typing || !link) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    let busy = false;
    const watch = new MutationObserver(() => { if (state() !== 'notRunning') busy = true; });
    if (app()) watch.observe(app(), {attributes: true, attributeFilter: ['data-test-script-state']});
    typing.blur();  // sends the text; the focusout above forgets it
    const began = Date.now();
    const follow = () => {
      const waited = Date.now() - began;
      const saved = busy && state() === 'notRunning';
      if (saved || (!busy && waited > 1500) || waited > 10000) { watch.disconnect(); link.click(); }
      else setTimeout(follow, 50);
    };
    setTimeout(follow, 50);
  }, true);
  window.addEventListener('beforeunload', (e) => {
    if (!typing) return;
    leaving = true;  // the draft stays in sessionStorage until the page is back and has sent it
    typing.blur();
    e.preventDefault();
    e.returnValue = '';
  });
  // Back after a reload: put each kept draft into its box again and send it, as the user would have.
  const setText = (box, text) => {
    const proto = box.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(box, text);
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  const restore = (tries) => {
    const keys = Object.keys(sessionStorage).filter((k) => k.startsWith(DRAFT));
    if (!keys.length) return;
    if (state() === 'notRunning') {
      for (const key of keys) {
        const holder = document.querySelector('.' + CSS.escape(key.slice(DRAFT.length)));
        const box = holder && (holder.matches(FIELDS) ? holder : holder.querySelector(FIELDS));
        if (!box) continue;
        const text = sessionStorage.getItem(key);
        sessionStorage.removeItem(key);
        if (box.value === text) continue;
        box.focus();
        setText(box, text);
        box.blur();
        return setTimeout(() => restore(tries - 1), 300);  // one at a time: each send is a rerun
      }
    }
    if (tries > 0) setTimeout(() => restore(tries - 1), 300);
  };
  restore(60);
})();
</script>"""


def install() -> None:
    """Put the script on the page (it installs itself once per browser tab)."""
    st.html(_SCRIPT, unsafe_allow_javascript=True)
