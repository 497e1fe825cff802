/* global document, window, getComputedStyle */
// Runs in the page (test/support/page-fit.ts evaluates it): where the page is wider than the
// window, a box scrolls sideways, an element sticks out of its card, a table cell's text is cut, or
// a table cell breaks a word of up to 32 characters inside it (a longer one, such as a hash, may
// break; a name cut by <wbr> into parts is judged part by part, and a hyphen between letters is
// a place to break).
(() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth)
    problems.push(`page ${doc.scrollWidth} px wide in a ${window.innerWidth} px window`);
  // A card: a bordered, rounded box (panels, tiles, dialogs), not a form control.
  const isCard = (el) => {
    const s = getComputedStyle(el);
    return (
      parseFloat(s.borderTopLeftRadius) > 0 &&
      parseFloat(s.borderLeftWidth) > 0 &&
      parseFloat(s.borderRightWidth) > 0 &&
      !['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON'].includes(el.tagName)
    );
  };
  const describe = (el) =>
    `<${el.tagName.toLowerCase()}> "${(el.textContent ?? '').trim().slice(0, 40)}"`;
  const flagged = new Set();
  const flag = (el, what) => {
    for (let a = el.parentElement; a; a = a.parentElement) if (flagged.has(a)) return;
    flagged.add(el);
    problems.push(`${describe(el)} ${what}`);
  };
  for (const el of document.querySelectorAll('main *')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const style = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible') {
      if (['auto', 'scroll'].includes(style.overflowX))
        flag(el, `scrolls sideways (${el.scrollWidth} px in ${el.clientWidth})`);
      else if (el.closest('table'))
        flag(el, `cuts its text (${el.scrollWidth} px in ${el.clientWidth})`);
    }
    if (rect.right > window.innerWidth + 0.5) flag(el, `ends at ${Math.round(rect.right)} px`);
    let card = el.parentElement;
    while (card && !isCard(card)) card = card.parentElement;
    if (!card) continue;
    const edge = card.getBoundingClientRect().right;
    if (rect.right > edge + 0.5) flag(el, `ends ${Math.round(rect.right - edge)} px past its card`);
  }
  const range = document.createRange();
  for (const cell of document.querySelectorAll('main td, main th')) {
    const walker = document.createTreeWalker(cell, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/\S+/g)) {
        if (word[0].length > 32) continue;
        // A hyphen between letters (house-prices) is where a browser may break; a number's
        // (1e-16, -0.5) is not.
        let start = word.index;
        for (const piece of word[0].split(/(?<=\p{L}-)(?=\p{L})/u)) {
          range.setStart(node, start);
          range.setEnd(node, start + piece.length);
          start += piece.length;
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) flag(cell, `breaks "${word[0]}" inside "${piece}"`);
        }
      }
    }
  }
  return problems;
})();
