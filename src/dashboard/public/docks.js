// Live dock progress from server-sent events. Plain ES2017, no build step.
(() => {
  const texts = JSON.parse(document.getElementById('dock-texts').textContent);
  // A dock's card is under 当前采集 while it works and moves to 刚完成 when it ends (the server says
  // where, x-dock-section); its row in 最近采集记录 is redrawn from the server as it moves on.
  const sections = {
    live: document.getElementById('live-docks'),
    finished: document.getElementById('finished-docks'),
  };
  const placeholders = { live: 'no-active-docks', finished: 'no-finished-docks' };
  const recentBody = document.querySelector('#recent-docks tbody');
  const rates = {};

  const card = (dockId) => document.querySelector(`section.dock[data-dock="${dockId}"]`);

  function fragment(markup, wrapper) {
    const holder = document.createElement(wrapper);
    holder.innerHTML = markup;
    return holder.firstElementChild;
  }

  function loadCard(dockId) {
    fetch(`/docks/${dockId}/card`, { credentials: 'same-origin' })
      .then((response) =>
        response.ok
          ? response.text().then((markup) => ({ markup, section: response.headers.get('x-dock-section') }))
          : null,
      )
      .then((answer) => {
        if (!answer) return;
        const old = card(dockId);
        const target = sections[answer.section];
        if (!target) {
          old?.remove();
          return;
        }
        const fresh = fragment(answer.markup, 'div');
        if (old) keepProgress(old, fresh);
        if (old && old.parentElement === target) old.replaceWith(fresh);
        else {
          old?.remove();
          target.insertBefore(fresh, target.firstChild);
        }
        showPlaceholders();
      });
    loadRow(dockId);
  }

  // The ledger counts a file's bytes once it is archived; the stream counted them as they were copied.
  // A card redrawn mid-dock keeps the stream's figures, so its bar never goes back.
  function keepProgress(old, fresh) {
    const before = old.querySelector('.dock-progress');
    const after = fresh.querySelector('.dock-progress');
    if (!before || !after || before.value <= after.value) return;
    after.value = before.value;
    for (const name of ['.percent', '.bytes', '.speed', '.eta'])
      fresh.querySelector(name).textContent = old.querySelector(name).textContent;
  }

  // "Nothing here" where a section has no card, and only there.
  function showPlaceholders() {
    for (const [name, section] of Object.entries(sections)) {
      const placeholder = document.getElementById(placeholders[name]);
      const empty = !section.querySelector('section.dock');
      if (!empty) placeholder?.remove();
      else if (!placeholder) {
        const paragraph = document.createElement('p');
        paragraph.id = placeholders[name];
        paragraph.className = 'muted';
        paragraph.textContent = texts.empty[name];
        section.appendChild(paragraph);
      }
    }
  }

  function loadRow(dockId) {
    fetch(`/docks/${dockId}/row`, { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.text() : ''))
      .then((markup) => {
        if (!markup) return;
        const fresh = fragment(`<table><tbody>${markup}</tbody></table>`, 'div').querySelector('tr');
        const old = recentBody.querySelector(`tr[data-dock="${dockId}"]`);
        if (old) old.replaceWith(fresh);
        else recentBody.insertBefore(fresh, recentBody.firstChild);
      });
  }

  // The playback check of a file ends after its copy: the card that lists the recording is redrawn.
  function recordingChecked(data) {
    const link = document.querySelector(`section.dock a[href="/recordings/${data.recordingId}"]`);
    const element = link?.closest('section.dock');
    if (element) loadCard(element.getAttribute('data-dock'));
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
    loadRow(data.dockId);
    const element = card(data.dockId);
    if (!element) return;
    const row = fileRow(element, data.sourcePath);
    if (data.outcome !== 'failed' && data.outcome !== 'skipped') row.querySelector('progress').value = 100;
    row.setAttribute('data-state', data.outcome);
    row.querySelector('.file-state').textContent = texts.fileStates[data.outcome] || data.outcome;
    // The note in the reader's language comes with the redrawn card; the raw reason is never shown.
    if (data.note || data.recordingId) loadCard(data.dockId);
  }

  const source = new EventSource('/docks/events');
  const on = (name, handle) => source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
  on('dock.detected', (data) => loadCard(data.dockId));
  on('dock.identified', (data) => loadCard(data.dockId));
  on('dock.state', (data) => {
    const element = card(data.dockId);
    if (element) setState(element, data.state);
    // A finished dock is redrawn from the ledger: officer, files, results and what is left to do.
    if (!element || texts.safe.includes(data.state) || texts.final.includes(data.state))
      loadCard(data.dockId);
    else loadRow(data.dockId);
  });
  on('dock.done', (data) => loadCard(data.dockId));
  on('dock.warning', (data) => loadCard(data.dockId));
  on('recording.checked', recordingChecked);
  on('file.progress', progress);
  on('file.done', fileDone);
  source.addEventListener('open', () => document.body.setAttribute('data-stream', 'open'));
})();
