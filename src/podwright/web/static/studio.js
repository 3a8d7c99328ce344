// podwright studio: the little JavaScript the pages need (no framework, no build step).
"use strict";
(function () {
  const csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";
  const flash = (message) => {
    const box = document.getElementById("flash");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  };
  const post = async (url, data) => {
    const response = await fetch(url, { method: "POST", body: data, headers: { "X-CSRF-Token": csrf, Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error ? body.error + (body.hint ? " — " + body.hint : "") : response.statusText);
    return body;
  };
  const play = (player, src) => {
    player.hidden = false;
    player.src = src + (src.includes("?") ? "&" : "?") + "t=" + Date.now();
    return player.play().catch(() => {});
  };

  // New episode: the estimate follows the form.
  const form = document.getElementById("new-episode");
  if (form) {
    const box = document.getElementById("estimate");
    const money = (v) => (v === null || v === undefined ? "unknown" : "$" + v.toFixed(4));
    const update = async () => {
      const data = new FormData();
      for (const name of ["show", "minutes", "tier"]) data.append(name, form.elements[name].value);
      try {
        const e = await post("/estimate", data);
        box.textContent = `Estimate: ${e.llm_calls} LLM calls, ~${e.llm_tokens.toLocaleString()} tokens, ${money(e.llm_usd)}; ` +
          `render ~${e.render_s} s for ${Math.round(e.audio_s)} s of audio, ${money(e.render_usd)} (${e.gpu}` +
          `${e.calibrated_from ? ", calibrated from " + e.calibrated_from + " renders" : ", default rates"}).`;
      } catch (err) { box.textContent = "Estimate: " + err.message; }
    };
    form.addEventListener("change", update);
    update();
  }

  // Auditions of a show's voices.
  document.querySelectorAll("button.audition").forEach((button) =>
    button.addEventListener("click", () => play(document.getElementById("audition-player"), button.dataset.src)));

  // Progress of a run (its own page, or an episode page while it renders).
  const follow = (url, episode, onEnd) => {
    const stages = document.getElementById("stages");
    const state = document.getElementById("run-state");
    const bar = document.getElementById("run-bar");
    const source = new EventSource(url);
    const shown = new Set();
    let key = episode;
    const addSegments = async (tier) => {
      const holder = document.getElementById("segments");
      if (!holder || !key) return;
      const ready = (await (await fetch(`/e/${key}/voiced?tier=${tier}`)).json()).segments || [];
      for (const s of ready) {
        if (shown.has(s)) continue;
        shown.add(s);
        const row = document.createElement("p");
        row.className = "voiced-segment";
        row.innerHTML = `Segment ${s + 1} voiced: <audio controls preload="none" src="/e/${key}/segments/${s}/audio?tier=${tier}"></audio>`;
        holder.appendChild(row);
      }
    };
    source.addEventListener("stage", (m) => {
      const e = JSON.parse(m.data);
      if (!stages) return;
      let item = stages.querySelector(`[data-stage="${e.stage}"]`);
      if (!item) { item = document.createElement("li"); item.dataset.stage = e.stage; stages.appendChild(item); }
      item.textContent = `${e.stage}: ${e.finished ? "done" : "running"} (${e.at} s)`;
      item.className = e.finished ? "done" : "running";
    });
    source.addEventListener("scripted", (m) => {
      key = JSON.parse(m.data).episode;
      const link = document.getElementById("episode-link");
      if (link) { link.hidden = false; link.innerHTML = `<a href="/e/${key}">Open the episode</a>`; }
    });
    source.addEventListener("render", (m) => { if (bar) bar.textContent = `rendering ${JSON.parse(m.data).tier}…`; });
    source.addEventListener("voiced", (m) => {
      const e = JSON.parse(m.data);
      if (bar) bar.textContent = `voiced ${e.done}/${e.total} chunks (${e.audio_s} s of audio)`;
      addSegments(e.tier);
    });
    source.addEventListener("rendered", (m) => { const e = JSON.parse(m.data); if (bar) bar.textContent = `${e.tier} rendered (${e.audio_s} s)`; addSegments(e.tier); });
    const end = (what) => (m) => {
      source.close();
      const e = JSON.parse(m.data);
      if (state) state.textContent = what;
      if (what === "failed") flash(e.message + (e.hint ? " — " + e.hint : ""));
      onEnd(what, e.episode || key);
    };
    source.addEventListener("done", end("done"));
    source.addEventListener("failed", end("failed"));
    source.addEventListener("cancelled", end("cancelled"));
  };
  const run = document.getElementById("run");
  if (run) follow(run.dataset.events, run.dataset.episode, (what, key) => {
    if (what === "done" && key) setTimeout(() => { window.location.href = `/e/${key}`; }, 400);
  });
  const live = document.getElementById("live");
  if (live) follow(live.dataset.events, null, () => window.location.reload());

  // The script editor: save a line and hear it at once.
  const linePlayer = document.getElementById("line-player");
  document.querySelectorAll("form.line").forEach((line) => {
    line.addEventListener("submit", async (event) => {
      if (event.submitter && event.submitter.classList.contains("delete")) return;  // a plain post
      event.preventDefault();
      flash("");
      try {
        await post(line.action, new FormData(line));
        line.classList.add("saved");
        await play(linePlayer, line.dataset.audio);
      } catch (err) { flash(err.message); }
    });
    line.querySelector("button.hear").addEventListener("click", () => play(linePlayer, line.dataset.audio));
  });
  document.querySelectorAll("button.play-segment").forEach((button) =>
    button.addEventListener("click", async () => {
      const probe = await fetch(button.dataset.src, { method: "GET" });
      if (!probe.ok) { flash((await probe.json().catch(() => ({}))).error || "not voiced yet"); return; }
      play(linePlayer, button.dataset.src);
    }));

  // Players: waveform from the server's peaks, chapters, the transcript highlighted as it plays.
  const seconds = (stamp) => stamp.split(":").reduce((total, part) => total * 60 + parseFloat(part), 0);
  const parseVtt = (text) => text.split(/\n\n+/).map((block) => {
    const lines = block.trim().split("\n");
    const timing = lines.findIndex((l) => l.includes("-->"));
    if (timing < 0) return null;
    const [a, b] = lines[timing].split("-->").map((s) => seconds(s.trim().split(" ")[0]));
    return { start: a, end: b, text: lines.slice(timing + 1).join(" ") };
  }).filter(Boolean);
  document.querySelectorAll(".player").forEach(async (player) => {
    const audio = player.querySelector("audio");
    const canvas = player.querySelector("canvas.waveform");
    let peaks = [];
    const draw = () => {
      if (!canvas || !peaks.length) return;
      const g = canvas.getContext("2d");
      const w = canvas.width, h = canvas.height, step = w / peaks.length;
      const played = audio.duration ? audio.currentTime / audio.duration : 0;
      g.clearRect(0, 0, w, h);
      peaks.forEach((p, i) => {
        g.fillStyle = i / peaks.length < played ? "#e63946" : "#457b9d";
        const bar = Math.max(1, p * h);
        g.fillRect(i * step, (h - bar) / 2, Math.max(1, step - 0.5), bar);
      });
    };
    if (canvas && player.dataset.peaks) {
      fetch(player.dataset.peaks).then((r) => r.json()).then((d) => { peaks = d.peaks || []; draw(); });
      canvas.addEventListener("click", (e) => {
        if (audio.duration) audio.currentTime = (e.offsetX / canvas.clientWidth) * audio.duration;
      });
    }
    const list = player.querySelector(".chapters");
    if (list && player.dataset.chapters) {
      fetch(player.dataset.chapters).then((r) => (r.ok ? r.json() : { chapters: [] })).then((d) => {
        (d.chapters || []).forEach((c) => {
          const item = document.createElement("li");
          item.innerHTML = `<a href="#">${c.title}</a> <small>${Math.floor(c.startTime / 60)}:${String(Math.floor(c.startTime % 60)).padStart(2, "0")}</small>`;
          item.querySelector("a").addEventListener("click", (e) => { e.preventDefault(); audio.currentTime = c.startTime; audio.play(); });
          list.appendChild(item);
        });
      });
    }
    const transcript = player.querySelector(".transcript");
    let cues = [];
    if (transcript && player.dataset.transcript) {
      const response = await fetch(player.dataset.transcript);
      if (response.ok) cues = parseVtt(await response.text());
      cues.forEach((cue, i) => {
        const line = document.createElement("span");
        line.className = "cue";
        line.dataset.index = i;
        line.textContent = cue.text + " ";
        line.addEventListener("click", () => { audio.currentTime = cue.start; audio.play(); });
        transcript.appendChild(line);
      });
    }
    audio.addEventListener("timeupdate", () => {
      draw();
      const now = audio.currentTime;
      transcript && transcript.querySelectorAll(".cue").forEach((line, i) =>
        line.classList.toggle("current", cues[i].start <= now && now < cues[i].end));
    });
  });
})();
