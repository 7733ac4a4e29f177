// Click-to-load video and photo boxes. Without this script each box is a
// plain link; with it, a "Play here" button appears, and only when it is
// pressed does the page load the provider's player.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("figure[data-embed]");
  Array.prototype.forEach.call(boxes, function (box) {
    var button = box.querySelector("button.embed-play");
    var note = box.querySelector(".embed-note");
    if (!button) return;
    button.hidden = false;
    if (note) note.hidden = false;
    button.addEventListener("click", function () {
      var src = button.getAttribute("data-player");
      if (!src || src.indexOf("https://") !== 0 && src.indexOf("http://") !== 0) return;
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = button.getAttribute("data-title") || "Video";
      frame.setAttribute("allow", "autoplay; fullscreen; picture-in-picture; encrypted-media");
      frame.setAttribute("allowfullscreen", "");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.className = "embed-frame";
      var link = box.querySelector("a.embed-link");
      if (link) box.replaceChild(frame, link); else box.insertBefore(frame, box.firstChild);
      button.hidden = true;
      if (note) note.hidden = true;
      frame.focus();
    });
  });
})();
