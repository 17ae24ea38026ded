document.getElementById("status").textContent = "The script ran: app.js was served too.";
