// The chat page: one WebSocket to /ws?room=ROOM&name=NAME. The server sends JSON events,
// {"type":"join"|"leave"|"message"|"error", "name":..., "text":...}; the page sends each
// message as a plain text frame. Everything received is shown with textContent, never as HTML.
'use strict';

const kMaxMessageBytes = 4096;  // the server closes the connection (1009) above this

const $ = (id) => document.getElementById(id);
const nameInput = $('name');
const roomInput = $('room');
const textInput = $('text');
const sendButton = $('send');
const messages = $('messages');
const statusLine = $('status');

let socket = null;

function setConnected(connected) {
  textInput.disabled = !connected;
  sendButton.disabled = !connected;
}

function show(className, name, text) {
  const item = document.createElement('li');
  item.className = className;
  if (name) {
    const who = document.createElement('span');
    who.className = 'name';
    who.textContent = name;
    item.append(who);
  }
  const what = document.createElement('span');
  what.className = 'text';
  what.textContent = text;
  item.append(what);
  messages.append(item);
  item.scrollIntoView({block: 'end'});
}

function onEvent(event) {
  switch (event.type) {
    case 'message':
      show('message', event.name, event.text);
      break;
    case 'join':
      show('join', event.name, 'joined');
      if (event.name === nameInput.value.trim()) {
        statusLine.textContent = `In room "${roomInput.value.trim()}" as ${event.name}.`;
        setConnected(true);
        textInput.focus();
      }
      break;
    case 'leave':
      show('leave', event.name, 'left');
      break;
    case 'error':
      show('error', '', event.text);
      break;
  }
}

function join() {
  if (socket) {
    socket.onclose = null;
    socket.close(1000);
  }
  setConnected(false);
  messages.replaceChildren();
  const name = nameInput.value.trim();
  const room = roomInput.value.trim() || 'lobby';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = new URLSearchParams({room, name});
  const ws = new WebSocket(`${scheme}://${location.host}/ws?${query}`);
  socket = ws;
  statusLine.textContent = `Connecting to room "${room}"...`;
  ws.onmessage = (e) => {
    try {
      onEvent(JSON.parse(e.data));
    } catch (err) {
      console.error('not a chat event:', e.data, err);
    }
  };
  ws.onclose = (e) => {
    if (socket !== ws) {
      return;
    }
    socket = null;
    setConnected(false);
    statusLine.textContent = `Disconnected (${e.code}${e.reason ? ': ' + e.reason : ''}).`;
  };
}

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  join();
});

$('send-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = textInput.value;
  if (!socket || socket.readyState !== WebSocket.OPEN || text.trim() === '') {
    return;
  }
  if (new TextEncoder().encode(text).length > kMaxMessageBytes) {
    show('error', '', `A message is at most ${kMaxMessageBytes} bytes.`);
    return;
  }
  socket.send(text);
  textInput.value = '';
});
