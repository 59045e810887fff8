// What the browser tests read from a loaded page, as one JSON value; `width` is the viewport asked for.
((width) => {
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const scrolls = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  // elements that reach past the right edge without a scrolling box around them
  const overflowing = [...document.body.querySelectorAll("*")]
    .filter((el) => !scrolls(el) && el.getBoundingClientRect().right > width + 1)
    .map((el) => describe(el) + " right=" + Math.round(el.getBoundingClientRect().right));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    clientWidth: width,
    overflowing: overflowing.slice(0, 10),
    text: document.body.innerText,
    sections: [...document.querySelectorAll("[id^='section-']")].map((el) => [el.id, visible(el)]),
    svgs: [...document.querySelectorAll("svg")].map((el) => [describe(el), visible(el)]),
    tables: [...document.querySelectorAll("table")].map((el) => [describe(el), visible(el)]),
    scriptErrors: window.__errors || [],
  };
})
