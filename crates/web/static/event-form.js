// The event form's repeat picker names what each choice will do for the
// start date ("Every third Saturday of the month"). The page is rendered
// with the labels for the date it was shown with; this relabels them as
// the organizer picks another date. Without it the labels follow the date
// when the form is shown again, and the form works the same.
(function () {
  "use strict";
  var date = document.getElementById("start_date");
  var picker = document.getElementById("repeat");
  if (!date || !picker || !window.fetch) {
    return;
  }
  var hint = document.getElementById("repeat-hint");
  var asked = 0;
  function relabel() {
    var value = date.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      return;
    }
    var mine = ++asked;
    fetch("/events/repeat-choices?start=" + encodeURIComponent(value))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (choices) {
        if (!choices || mine !== asked) {
          return;
        }
        choices.forEach(function (c) {
          var option = picker.querySelector('option[value="' + c.value + '"]');
          if (option) {
            option.textContent = c.label;
          }
        });
        if (hint) {
          hint.textContent = "The choices follow the start date.";
        }
      })
      .catch(function () {});
  }
  date.addEventListener("change", relabel);
  date.addEventListener("input", relabel);
})();
