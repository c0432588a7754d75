// Where an inspection is recorded: the phone's position, if its user allows it, goes into the form's
// hidden latitude / longitude / accuracy_m fields. Saving never waits for it and never needs it.
(function () {
  "use strict";
  var status = document.getElementById("location-status");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var acc = document.getElementById("id_accuracy_m");
  if (!status || !lat || !lon || !acc || !navigator.geolocation) { return; }
  if (lat.value && lon.value) { return; } // kept from a refused submission
  function say(text) { status.textContent = text; status.hidden = false; }
  say(status.dataset.asking);
  navigator.geolocation.getCurrentPosition(
    function (position) {
      var c = position.coords;
      lat.value = c.latitude.toFixed(6);
      lon.value = c.longitude.toFixed(6);
      acc.value = Math.round(c.accuracy);
      say(status.dataset.found.replace("%(m)s", Math.round(c.accuracy)));
    },
    function () { say(status.dataset.failed); },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
  );
})();
