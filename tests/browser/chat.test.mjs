// The websocket-chat example in a real browser: Debian's headless Chromium, driven by
// playwright-core, loads the page from the example's own server and chats in it.
//
//   node chat.test.mjs path/to/websocket-chat
//
// Two tabs join room "lobby" as Ada and Bob, each sends a message, and each tab must show
// both; a third tab in room "attic" must see neither. Then Bob's tab closes and Ada's tab
// must say that Bob left. Each tab's WebSocket must have negotiated permessage-deflate (RFC
// 7692) as the server offers it: WebSocket.extensions holds the Sec-WebSocket-Extensions the
// browser accepted. Every wait has a deadline; there is no fixed sleep. Exits 0 when all
// checks pass, 1 (with the reason) otherwise.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const kChromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const kTimeoutMs = 20_000;        // any single wait
const kWholeTestTimeoutMs = 150_000;  // the whole run, browser start included
// What websocket-chat answers Chromium's offer ("permessage-deflate; client_max_window_bits").
const kExpectedExtensions = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';

const serverPath = process.argv[2];
if (!serverPath) {
  console.error('usage: node chat.test.mjs path/to/websocket-chat');
  process.exit(2);
}

let serverProcess = null;  // killed by the watchdog if the run hangs

// Starts the server on a free port; resolves with its process and "127.0.0.1:PORT".
function startServer() {
  return new Promise((resolve, reject) => {
    const server = spawn(serverPath, ['--host', '127.0.0.1', '--port', '0', '--threads', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    serverProcess = server;
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "listening on" within ${kTimeoutMs} ms: ${output}`)),
                             kTimeoutMs);
    server.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    server.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the server exited early (code ${code}, signal ${signal}): ${output}`));
    });
    server.stdout.setEncoding('utf8');
    // Only until the address is known: the server prints more later (its drain report on
    // SIGTERM), and removing the 'exit' listeners again then would drop stopServer's.
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        server.stdout.off('data', onData);
        server.stdout.resume();  // the rest is read and dropped, so the pipe never fills
        server.removeAllListeners('exit');
        resolve({ server, address: match[1] });
      }
    };
    server.stdout.on('data', onData);
  });
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) {
      resolve(server.exitCode);
      return;
    }
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    server.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    server.kill('SIGTERM');
  });
}

// The chat lines a page shows, as "name: text".
function chatLines(page) {
  return page.$$eval('#messages li.message', (items) =>
    items.map((li) => `${li.querySelector('.name').textContent}: ${li.querySelector('.text').textContent}`));
}

async function waitForLines(page, who, expected) {
  try {
    await page.waitForFunction(
      (want) => {
        const have = [...document.querySelectorAll('#messages li.message')].map(
          (li) => `${li.querySelector('.name').textContent}: ${li.querySelector('.text').textContent}`);
        return want.every((line) => have.includes(line));
      },
      expected, { timeout: kTimeoutMs });
  } catch (e) {
    throw new Error(`${who}'s tab did not show ${JSON.stringify(expected)}; it shows ` +
                    `${JSON.stringify(await chatLines(page))} (${e.message.split('\n')[0]})`);
  }
}

async function waitForEvent(page, who, kind, name) {
  try {
    await page.waitForFunction(
      ([kind, name]) => [...document.querySelectorAll(`#messages li.${kind} .name`)].some(
        (n) => n.textContent === name),
      [kind, name], { timeout: kTimeoutMs });
  } catch (e) {
    const shown = await page.$eval('#messages', (m) => m.innerText);
    throw new Error(`${who}'s tab never showed that ${name} ${kind === 'join' ? 'joined' : 'left'}; ` +
                    `it shows ${JSON.stringify(shown)}`);
  }
}

async function openChat(context, base, who, room, pageErrors) {
  const page = await context.newPage();
  page.setDefaultTimeout(kTimeoutMs);
  page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') {
      pageErrors.push(`${who}: console: ${m.text()}`);
    }
  });
  const response = await page.goto(base, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${base} answered ${response?.status()}`);
  }
  await page.fill('#name', who);
  await page.fill('#room', room);
  await page.click('#join');
  await waitForEvent(page, who, 'join', who);  // the server confirms our own join
  await page.waitForSelector('#send:not([disabled])');
  const extensions = await page.evaluate(() => window.__sluiceSockets.map((s) => s.extensions));
  if (extensions.length !== 1 || extensions[0] !== kExpectedExtensions) {
    throw new Error(`${who}'s WebSocket negotiated ${JSON.stringify(extensions)}, not ` +
                    `${JSON.stringify(kExpectedExtensions)}`);
  }
  return page;
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#send');
}

async function run() {
  const { server, address } = await startServer();
  const base = `http://${address}/`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: kChromium,
      headless: true,  // playwright passes --headless, and --user-data-dir for userDataDir
      timeout: 60_000,
      args: [
        '--no-sandbox',  // CI runs as root, where Chromium's sandbox cannot start
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',  // containers often have a tiny /dev/shm
      ],
    });
    // Every WebSocket a page makes is remembered, to read what it negotiated.
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      window.__sluiceSockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          window.__sluiceSockets.push(this);
        }
      };
    });
    const pageErrors = [];
    const ada = await openChat(context, base, 'Ada', 'lobby', pageErrors);
    const bob = await openChat(context, base, 'Bob', 'lobby', pageErrors);
    const eve = await openChat(context, base, 'Eve', 'attic', pageErrors);
    await waitForEvent(ada, 'Ada', 'join', 'Bob');  // both are in the room before anyone talks

    const fromAda = 'Hello Bob, <b>this</b> is not bold & "quoted"';
    const fromBob = 'Hi Ada! héllo ✓';
    await say(ada, fromAda);
    await waitForLines(bob, 'Bob', [`Ada: ${fromAda}`]);
    await say(bob, fromBob);
    const both = [`Ada: ${fromAda}`, `Bob: ${fromBob}`];
    await waitForLines(ada, 'Ada', both);
    await waitForLines(bob, 'Bob', both);
    // Text arrives as text: the markup Ada typed made no element.
    for (const [who, page] of [['Ada', ada], ['Bob', bob]]) {
      if (await page.$('#messages b') !== null) {
        throw new Error(`${who}'s tab rendered a message as HTML`);
      }
    }

    // The server has one event loop: every write to Eve's connection goes out in the order
    // it was made. Once Eve sees her own message, sent after the lobby's two were delivered,
    // anything of the lobby's written to her would have arrived before it.
    await say(eve, 'anyone up here?');
    await waitForLines(eve, 'Eve', ['Eve: anyone up here?']);
    const eveLines = await chatLines(eve);
    if (JSON.stringify(eveLines) !== JSON.stringify(['Eve: anyone up here?'])) {
      throw new Error(`the attic saw the lobby's messages: ${JSON.stringify(eveLines)}`);
    }
    for (const [who, page] of [['Ada', ada], ['Bob', bob]]) {
      const lines = await chatLines(page);
      if (lines.some((l) => l.startsWith('Eve:'))) {
        throw new Error(`${who}'s tab saw the attic's message: ${JSON.stringify(lines)}`);
      }
    }

    await bob.close();
    await waitForEvent(ada, 'Ada', 'leave', 'Bob');

    if (pageErrors.length > 0) {
      throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
    }
  } finally {
    if (context) {
      await context.close().catch(() => {});
    }
    rmSync(userDataDir, { recursive: true, force: true });
    const code = await stopServer(server);
    if (code !== 0) {
      console.error(`websocket-chat exited with code ${code} on SIGTERM`);
      process.exitCode = 1;
    }
  }
}

const watchdog = setTimeout(() => {
  console.error(`FAIL: the test did not finish within ${kWholeTestTimeoutMs} ms`);
  serverProcess?.kill('SIGKILL');
  process.exit(1);
}, kWholeTestTimeoutMs);

try {
  await run();
  clearTimeout(watchdog);
  if (process.exitCode === undefined || process.exitCode === 0) {
    console.log('PASS: two tabs chatted in one room; a tab in another room saw nothing of it');
  }
} catch (e) {
  clearTimeout(watchdog);
  console.error(`FAIL: ${e.message}`);
  process.exitCode = 1;
}
