// Copia anotada: el archivo viene en la misma página (nada se guarda en el servidor);
// aquí se convierte en un enlace de descarga normal (sin límite de tamaño de «data:»).
(function () {
  var enlace = document.getElementById("copia-anotada");
  var datos = document.getElementById("copia-anotada-datos");
  if (!enlace || !datos || !window.Blob || !window.URL) { return; }
  var b64 = datos.textContent.trim();
  var bin = atob(b64);
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
  var blob = new Blob([bytes], { type: enlace.getAttribute("data-tipo") });
  enlace.href = URL.createObjectURL(blob);
})();
