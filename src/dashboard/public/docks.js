// Live dock progress from server-sent events. Plain ES2017, no build step.
(() => {
  const texts = JSON.parse(document.getElementById('dock-texts').textContent);
  const container = document.getElementById('live-docks');
  const rates = {};

  const card = (dockId) => container.querySelector(`[data-dock="${dockId}"]`);

  function loadCard(dockId) {
    fetch(`/docks/${dockId}/card`, { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.text() : ''))
      .then((markup) => {
        if (!markup) return;
        const holder = document.createElement('div');
        holder.innerHTML = markup;
        const fresh = holder.firstElementChild;
        const old = card(dockId);
        if (old) old.replaceWith(fresh);
        else container.insertBefore(fresh, container.firstChild);
        document.getElementById('no-active-docks')?.remove();
      });
  }

  function formatBytes(bytes) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }

  // The units come from the catalogue as templates: '{n} 秒', '{m} 分 {s} 秒' (or s / min in English).
  function formatSeconds(seconds) {
    const whole = Math.max(0, Math.round(seconds));
    const minutes = Math.floor(whole / 60);
    return minutes > 0
      ? texts.minutesSeconds.replace('{m}', minutes).replace('{s}', whole % 60)
      : texts.seconds.replace('{n}', whole);
  }

  function setState(element, state) {
    element.setAttribute('data-state', state);
    element.querySelector('.state').textContent = texts.states[state] || state;
    const safe = texts.safe.includes(state);
    const message = safe
      ? texts.safeText
      : texts.failed.includes(state)
        ? texts.redockText
        : texts.notSafeText;
    const paragraph = document.createElement('p');
    paragraph.className = `safe ${safe ? 'yes' : 'no'}`;
    paragraph.textContent = message;
    element.querySelector('.safety').replaceChildren(paragraph);
    if (safe) {
      element.querySelector('.dock-progress').value = 100;
      element.querySelector('.percent').textContent = '100%';
      element.querySelector('.eta').textContent = formatSeconds(0);
    }
  }

  function fileRow(element, sourcePath) {
    for (const row of element.querySelectorAll('.files li')) {
      if (row.getAttribute('data-file') === sourcePath) return row;
    }
    const row = document.createElement('li');
    row.setAttribute('data-file', sourcePath);
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = sourcePath;
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    const state = document.createElement('span');
    state.className = 'file-state';
    row.append(name, ' ', bar, ' ', state);
    element.querySelector('.files').appendChild(row);
    return row;
  }

  function progress(data) {
    const element = card(data.dockId);
    if (!element) return loadCard(data.dockId);
    const total = data.dockBytesTotal;
    const dockPercent = total > 0 ? Math.min(100, Math.round((data.dockBytesDone / total) * 100)) : 0;
    element.querySelector('.dock-progress').value = dockPercent;
    element.querySelector('.percent').textContent = `${dockPercent}%`;
    element.querySelector('.bytes').textContent =
      `${formatBytes(data.dockBytesDone)} / ${formatBytes(total)}`;
    const row = fileRow(element, data.sourcePath);
    row.querySelector('progress').value =
      data.sizeBytes > 0 ? Math.round((data.bytesDone / data.sizeBytes) * 100) : 0;
    row.querySelector('.file-state').textContent = texts.fileStates.copying;
    // Speed as a moving average, so one slow chunk does not make the estimate jump.
    const now = Date.now();
    const last = rates[data.dockId];
    if (!last || now <= last.at) {
      rates[data.dockId] = { at: now, bytes: data.dockBytesDone, speed: 0 };
      return;
    }
    const instant = ((data.dockBytesDone - last.bytes) * 1000) / (now - last.at);
    const speed = last.speed ? last.speed * 0.7 + instant * 0.3 : instant;
    rates[data.dockId] = { at: now, bytes: data.dockBytesDone, speed };
    element.querySelector('.speed').textContent = `${formatBytes(speed)}/s`;
    if (speed > 0)
      element.querySelector('.eta').textContent = formatSeconds((total - data.dockBytesDone) / speed);
  }

  function fileDone(data) {
    const element = card(data.dockId);
    if (!element) return;
    const row = fileRow(element, data.sourcePath);
    if (data.outcome !== 'failed' && data.outcome !== 'skipped') row.querySelector('progress').value = 100;
    row.setAttribute('data-state', data.outcome);
    const outcome = texts.fileStates[data.outcome] || data.outcome;
    row.querySelector('.file-state').textContent = data.reason ? `${outcome} · ${data.reason}` : outcome;
  }

  const source = new EventSource('/docks/events');
  const on = (name, handle) => source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
  on('dock.detected', (data) => loadCard(data.dockId));
  on('dock.identified', (data) => loadCard(data.dockId));
  on('dock.state', (data) => {
    const element = card(data.dockId);
    if (element) setState(element, data.state);
    // A finished dock is redrawn from the ledger: officer, files and reasons as recorded.
    if (!element || texts.safe.includes(data.state) || texts.failed.includes(data.state))
      loadCard(data.dockId);
  });
  on('dock.done', (data) => loadCard(data.dockId));
  on('file.progress', progress);
  on('file.done', fileDone);
  source.addEventListener('open', () => document.body.setAttribute('data-stream', 'open'));
})();
