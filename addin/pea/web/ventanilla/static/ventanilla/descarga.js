// Copia anotada: el archivo viene en la misma página (nada se guarda en el servidor), en
// el enlace «data:» o, si es grande, en un bloque de datos; aquí se vuelve un enlace de
// descarga normal (sin el límite de tamaño de «data:» en los navegadores).
(function () {
  var enlace = document.getElementById("copia-anotada");
  if (!enlace || !window.Blob || !window.URL) { return; }
  var datos = document.getElementById("copia-anotada-datos");
  var href = enlace.getAttribute("href") || "";
  var b64 = datos ? datos.textContent.trim() : href.slice(href.indexOf(",") + 1);
  if (!b64) { return; }
  var bin = atob(b64);
  var bytes = new Uint8Array(bin.length);
  for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
  var blob = new Blob([bytes], { type: enlace.getAttribute("data-tipo") });
  enlace.href = URL.createObjectURL(blob);
})();
