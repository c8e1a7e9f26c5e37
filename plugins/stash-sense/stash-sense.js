/* global history, MutationObserver, FormData */
// Stash Sense UI plugin: "Identify performers" on scene pages, "Identify faces" on image and performer pages.
// Plain JavaScript (no build step). It talks to Stash's GraphQL API (same origin, the user's session) and to the
// local Stash Sense sidecar (its URL is a plugin setting and must be in the plugin's ui.csp.connect-src).
(function () {
  'use strict';
  if (window.__stashSense) return; // loaded twice (hot reload): keep the first
  var PLUGIN_ID = 'stash-sense';
  var DEFAULT_SIDECAR = 'http://127.0.0.1:6960';
  var SCENE_TIMEOUT_MS = 180000; // a 60-frame scene on a slow CPU; the old plugin used 180 s as well
  var IMAGE_TIMEOUT_MS = 30000;

  // Every GraphQL document sent to Stash (the browser test validates them against Stash's schema).
  var QUERIES = {
    settings: 'query StashSenseSettings { configuration { plugins(include: ["stash-sense"]) } }',
    imagePath: 'query StashSenseImage($id: ID!) { findImage(id: $id) { id paths { image } } }',
    performerImage:
      'query StashSensePerformerImage($id: ID!) { findPerformer(id: $id) { id name image_path } }',
  };

  var state = { settings: null, route: null, busy: false };

  // ---------------------------------------------------------------------------------------------------------
  // Helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === undefined || v === null || v === false) return;
        if (k === 'text') node.textContent = String(v);
        else if (k === 'onclick') node.addEventListener('click', v);
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function stashGraphql(query, variables) {
    return fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    })
      .then(function (r) {
        if (!r.ok) throw new Error('Stash answered HTTP ' + r.status);
        return r.json();
      })
      .then(function (body) {
        if (body.errors && body.errors.length)
          throw new Error(
            body.errors
              .map(function (e) {
                return e.message;
              })
              .join('; '),
          );
        return body.data;
      });
  }

  function loadSettings() {
    if (state.settings) return Promise.resolve(state.settings);
    return stashGraphql(QUERIES.settings)
      .then(function (data) {
        var all = (data && data.configuration && data.configuration.plugins) || {};
        return all[PLUGIN_ID] || {};
      })
      .catch(function () {
        return {};
      })
      .then(function (raw) {
        var url =
          String(raw.sidecarUrl || DEFAULT_SIDECAR)
            .trim()
            .replace(/\/+$/, '') || DEFAULT_SIDECAR;
        state.settings = {
          sidecarUrl: url,
          sidecarToken: raw.sidecarToken ? String(raw.sidecarToken).trim() : '',
          contributeOptIn: raw.contributeOptIn === true || raw.contributeOptIn === 'true',
          cloudUrl: raw.cloudUrl ? String(raw.cloudUrl).replace(/\/+$/, '') : '',
          cloudApiKey: raw.cloudApiKey ? String(raw.cloudApiKey) : '',
        };
        return state.settings;
      });
  }

  /** Calls the sidecar; rejects with its `detail` (or a plain message when it cannot be reached). */
  function sidecar(path, options, timeoutMs) {
    return loadSettings().then(function (settings) {
      var controller = typeof AbortController === 'function' ? new AbortController() : null;
      var timer = controller
        ? setTimeout(function () {
            controller.abort();
          }, timeoutMs || 60000)
        : null;
      var init = Object.assign({ method: 'GET' }, options || {});
      if (controller) init.signal = controller.signal;
      if (settings.sidecarToken)
        init.headers = Object.assign({}, init.headers || {}, {
          'X-Stash-Sense-Token': settings.sidecarToken,
        });
      return fetch(settings.sidecarUrl + path, init)
        .catch(function (error) {
          if (error && error.name === 'AbortError') throw new Error('the sidecar did not answer in time');
          throw new Error(
            'cannot reach the Stash Sense sidecar at ' +
              settings.sidecarUrl +
              ': is `stash-sense serve` running, and is its URL in the plugin settings and in ui.csp.connect-src?',
          );
        })
        .then(function (r) {
          return r.text().then(function (text) {
            var body;
            try {
              body = text ? JSON.parse(text) : null;
            } catch (_e) {
              body = null;
            }
            if (!r.ok) throw new Error((body && body.detail) || text || 'sidecar answered HTTP ' + r.status);
            return body;
          });
        })
        .finally(function () {
          if (timer) clearTimeout(timer);
        });
    });
  }

  function postJson(path, body, timeoutMs) {
    return sidecar(
      path,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      timeoutMs,
    );
  }

  function domainOf(endpoint) {
    try {
      return new URL(endpoint).host;
    } catch (_e) {
      return 'stashdb.org';
    }
  }

  function performerLink(stashId) {
    if (!stashId) return null;
    return 'https://' + domainOf(stashId.endpoint) + '/performers/' + encodeURIComponent(stashId.stashId);
  }

  function percent(confidence) {
    return Math.round(Math.max(0, Math.min(1, Number(confidence) || 0)) * 100) + '%';
  }

  // ---------------------------------------------------------------------------------------------------------
  // Modal

  function closeModal() {
    var old = document.querySelector('.ss-backdrop');
    if (old && old.parentNode) old.parentNode.removeChild(old);
    document.removeEventListener('keydown', onKey);
  }

  function onKey(e) {
    if (e.key === 'Escape') closeModal();
  }

  function openModal(title) {
    closeModal();
    var body = el('div', { class: 'ss-body' });
    var modal = el('div', { class: 'ss-modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': title }, [
      el('div', { class: 'ss-header' }, [
        el('h3', { class: 'ss-title', text: title }),
        el('button', {
          class: 'ss-close',
          type: 'button',
          'aria-label': 'Close',
          text: '×',
          onclick: closeModal,
        }),
      ]),
      body,
    ]);
    var backdrop = el('div', { class: 'ss-backdrop' }, [modal]);
    backdrop.addEventListener('click', function (e) {
      if (e.target === backdrop) closeModal();
    });
    document.body.appendChild(backdrop);
    document.addEventListener('keydown', onKey);
    return body;
  }

  function setStatus(body, text, kind) {
    body.innerHTML = '';
    body.appendChild(el('div', { class: 'ss-status' + (kind ? ' ss-' + kind : ''), text: text }));
  }

  function bandBadge(candidate) {
    return el('span', { class: 'ss-band ss-band-' + candidate.band, text: candidate.band });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Scene identification

  function addToScene(sceneId, candidate, button, row) {
    button.disabled = true;
    button.textContent = 'Adding…';
    var body = candidate.stashPerformerId
      ? { performer_ids: [candidate.stashPerformerId] }
      : {
          stash_ids: candidate.stashIds.slice(0, 1).map(function (s) {
            return { endpoint: s.endpoint, stash_id: s.stashId, name: candidate.name };
          }),
        };
    if (!body.performer_ids && !body.stash_ids.length) {
      button.textContent = 'No stash-box id';
      return Promise.resolve(false);
    }
    return postJson('/stash/scene/' + encodeURIComponent(sceneId) + '/performers', body, 60000)
      .then(function (result) {
        candidate.onScene = true;
        if (result && result.added && result.added[0])
          candidate.stashPerformerId = result.added[0].performerId;
        button.replaceWith(el('span', { class: 'ss-badge ss-on-scene', text: 'Added' }));
        if (row) {
          row.classList.add('ss-added');
          var hint = row.querySelector('.ss-hint');
          if (hint) hint.remove();
        }
        return true;
      })
      .catch(function (error) {
        button.disabled = false;
        button.textContent = 'Add to scene';
        button.title = error.message;
        if (row) row.appendChild(el('div', { class: 'ss-error', text: error.message }));
        return false;
      });
  }

  function sendFeedback(sceneId, result, person, candidate, button) {
    var settings = state.settings || {};
    button.disabled = true;
    return postJson('/feedback', {
      analysis_id: result.analysisId,
      person: person.person,
      endpoint: candidate.stashIds[0] && candidate.stashIds[0].endpoint,
      stash_id: candidate.stashIds[0] && candidate.stashIds[0].stashId,
      distance: candidate.distance,
      cloud_url: settings.cloudUrl || undefined,
      api_key: settings.cloudApiKey || undefined,
    })
      .then(function () {
        button.textContent = 'Thanks: sent';
      })
      .catch(function (error) {
        button.disabled = false;
        button.title = error.message;
        button.textContent = 'Not sent';
      });
  }

  function candidateRow(sceneId, result, person, candidate) {
    var link = performerLink(candidate.stashIds && candidate.stashIds[0]);
    var name = link
      ? el('a', {
          href: link,
          target: '_blank',
          rel: 'noopener noreferrer',
          class: 'ss-name',
          text: candidate.name,
        })
      : el('span', { class: 'ss-name', text: candidate.name });
    var row = el('li', { class: 'ss-candidate', 'data-performer': candidate.name }, [
      name,
      el('span', {
        class: 'ss-distance',
        title: 'cosine distance (lower is closer)',
        text: 'd ' + Number(candidate.distance).toFixed(3),
      }),
      el('span', { class: 'ss-confidence', text: percent(candidate.confidence) }),
      bandBadge(candidate),
    ]);
    if (candidate.onScene) {
      row.appendChild(el('span', { class: 'ss-badge ss-on-scene', text: 'On scene' }));
    } else if (sceneId) {
      var add = el('button', { type: 'button', class: 'ss-btn ss-add', text: 'Add to scene' });
      add.addEventListener('click', function () {
        addToScene(sceneId, candidate, add, row);
      });
      row.appendChild(add);
      if (!candidate.stashPerformerId)
        row.appendChild(
          el('span', {
            class: 'ss-hint',
            text: 'new in library',
            title: 'will be created from the stash-box',
          }),
        );
    }
    if (sceneId && state.settings && state.settings.contributeOptIn && result.analysisId) {
      var no = el('button', { type: 'button', class: 'ss-btn ss-not', text: 'Not this person' });
      no.addEventListener('click', function () {
        sendFeedback(sceneId, result, person, candidate, no);
      });
      row.appendChild(no);
    }
    return row;
  }

  function renderScene(body, sceneId, result) {
    body.innerHTML = '';
    var people = (result.people || []).filter(function (p) {
      return p.candidates && p.candidates.length;
    });
    body.appendChild(
      el('div', {
        class: 'ss-summary',
        text:
          (result.people || []).length +
          ' people in ' +
          result.framesSampled +
          ' frames (' +
          result.faceCount +
          ' faces, ' +
          (result.source === 'stream' ? 'read through Stash' : 'local file') +
          ')',
      }),
    );
    if (!people.length) {
      body.appendChild(
        el('div', {
          class: 'ss-status',
          text: (result.people || []).length ? 'No performers identified' : 'No faces detected',
        }),
      );
      return;
    }
    var highs = [];
    var list = el('div', { class: 'ss-people' });
    people.forEach(function (person) {
      var ul = el('ul', { class: 'ss-candidates' });
      person.candidates.forEach(function (c) {
        var row = candidateRow(sceneId, result, person, c);
        ul.appendChild(row);
        if (
          person.bestMatch &&
          c.performerId === person.bestMatch.performerId &&
          c.band === 'high' &&
          !c.onScene
        ) {
          highs.push({ candidate: c, row: row });
        }
      });
      list.appendChild(
        el('div', { class: 'ss-person', 'data-person': person.person }, [
          person.thumbnail
            ? el('img', {
                class: 'ss-thumb',
                src: person.thumbnail,
                alt: 'face of person ' + (person.person + 1),
              })
            : el('div', { class: 'ss-thumb ss-thumb-empty', text: '?' }),
          el('div', { class: 'ss-person-main' }, [
            el('div', {
              class: 'ss-person-title',
              text:
                'Person ' +
                (person.person + 1) +
                ' · ' +
                person.frameCount +
                ' frames' +
                (person.bestMatch ? '' : ' · unknown'),
            }),
            ul,
          ]),
        ]),
      );
    });
    if (sceneId && highs.length) {
      var all = el('button', {
        type: 'button',
        class: 'ss-btn ss-add-all',
        text: 'Add all high-confidence (' + highs.length + ')',
      });
      all.addEventListener('click', function () {
        all.disabled = true;
        var chain = Promise.resolve();
        highs.forEach(function (h) {
          chain = chain.then(function () {
            var button = h.row.querySelector('.ss-add');
            return button ? addToScene(sceneId, h.candidate, button, h.row) : null;
          });
        });
        chain.then(function () {
          all.textContent = 'Added';
        });
      });
      body.appendChild(el('div', { class: 'ss-actions' }, [all]));
    }
    body.appendChild(list);
  }

  function identifyScene(sceneId) {
    var body = openModal('Stash Sense: performers in this scene');
    setStatus(body, 'Identifying… (sampling frames, this can take a minute)', 'busy');
    return postJson('/identify/scene', { scene_id: String(sceneId) }, SCENE_TIMEOUT_MS)
      .then(function (result) {
        renderScene(body, sceneId, result);
        if (state.settings && state.settings.contributeOptIn) showContribution(body, sceneId);
      })
      .catch(function (error) {
        setStatus(body, error.message, 'error');
      });
  }

  var CONTRIBUTION_TEXT = {
    none: 'not contributed yet (stash-sense contribute --all --opt-in)',
    queued: 'queued: waiting to be sent',
    sent: 'sent: waiting for the other contributors to agree',
    accepted: 'accepted: your faces are in the crowd index',
    rejected: 'rejected by consensus',
    failed: 'refused by the cloud',
    withdrawn: 'withdrawn',
    skipped: 'analysed, but no person could be attributed to the credited performers',
  };

  /** Opted in: what became of this scene's contribution (the sidecar reads the client's outbox). */
  function showContribution(body, sceneId) {
    return sidecar('/contributions/status?scene_id=' + encodeURIComponent(String(sceneId)))
      .then(function (status) {
        var latest = status.scenes && status.scenes.length ? status.scenes[status.scenes.length - 1] : null;
        var text = CONTRIBUTION_TEXT[status.state] || status.state;
        var reason = latest && (latest.reason || latest.lastError);
        body.appendChild(
          el('p', {
            class: 'ss-contribution ss-contribution-' + status.state,
            text: 'Contribution: ' + text + (reason ? ' (' + reason + ')' : ''),
          }),
        );
      })
      .catch(function () {
        // An older sidecar without /contributions: say nothing rather than an error under the results.
      });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Single image (image page, performer page): the browser fetches the picture from Stash (its session) and
  // uploads it to the sidecar's POST /identify, so it works whether or not Stash has a login.

  function renderImage(body, result) {
    body.innerHTML = '';
    var people = result.people || [];
    if (!people.length) return setStatus(body, 'No faces detected');
    var list = el('div', { class: 'ss-people' });
    people.forEach(function (person, i) {
      var ul = el('ul', { class: 'ss-candidates' });
      person.candidates.forEach(function (c) {
        ul.appendChild(candidateRow(null, result, person, c));
      });
      list.appendChild(
        el('div', { class: 'ss-person', 'data-person': i }, [
          el('div', { class: 'ss-person-main' }, [
            el('div', {
              class: 'ss-person-title',
              text: 'Face ' + (i + 1) + (person.bestMatch ? ' · ' + person.bestMatch.name : ' · unknown'),
            }),
            ul,
          ]),
        ]),
      );
    });
    body.appendChild(list);
  }

  function identifyImageUrl(url) {
    var body = openModal('Stash Sense: faces in this image');
    setStatus(body, 'Identifying…', 'busy');
    return fetch(url, { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('Stash answered HTTP ' + r.status + ' for the image');
        return r.blob();
      })
      .then(function (blob) {
        var form = new FormData();
        form.append('image', blob, 'image');
        return sidecar('/identify', { method: 'POST', body: form }, IMAGE_TIMEOUT_MS);
      })
      .then(function (result) {
        renderImage(body, result);
      })
      .catch(function (error) {
        setStatus(body, error.message, 'error');
      });
  }

  function identifyImage(imageId) {
    return stashGraphql(QUERIES.imagePath, { id: imageId })
      .then(function (data) {
        var path = data && data.findImage && data.findImage.paths && data.findImage.paths.image;
        if (!path) throw new Error('Stash has no image ' + imageId);
        return identifyImageUrl(path);
      })
      .catch(function (error) {
        setStatus(openModal('Stash Sense'), error.message, 'error');
      });
  }

  function identifyPerformer(performerId) {
    return stashGraphql(QUERIES.performerImage, { id: performerId })
      .then(function (data) {
        var path = data && data.findPerformer && data.findPerformer.image_path;
        if (!path) throw new Error('this performer has no image');
        return identifyImageUrl(path);
      })
      .catch(function (error) {
        setStatus(openModal('Stash Sense'), error.message, 'error');
      });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Routing and buttons

  function parseRoute(pathname) {
    var m = /^\/(scenes|images|performers)\/(\d+)(?:\/|$)/.exec(pathname || '');
    return m ? { kind: m[1], id: m[2] } : null;
  }

  var TOOLBAR_SELECTORS = {
    scenes: [
      '.scene-toolbar .scene-toolbar-group:last-child',
      '.scene-toolbar',
      '.scene-tabs .nav-tabs',
      '.scene-header',
    ],
    images: ['.image-toolbar', '.image-tabs .nav-tabs', '.image-header'],
    performers: [
      '.performer-head .name-icons',
      '.performer-head',
      '.detail-header .name-icons',
      '.detail-header',
    ],
  };

  function findToolbar(kind) {
    var list = TOOLBAR_SELECTORS[kind] || [];
    for (var i = 0; i < list.length; i++) {
      var node = document.querySelector(list[i]);
      if (node) return node;
    }
    return null;
  }

  function ensureButton() {
    var route = parseRoute(window.location.pathname);
    var existing = document.querySelector('.ss-launch');
    if (!route) {
      if (existing) existing.remove();
      return;
    }
    var key = route.kind + ':' + route.id;
    if (existing && existing.getAttribute('data-route') === key && document.body.contains(existing)) {
      // Stash renders the toolbar late: move a floating button into it once it exists.
      if (existing.classList.contains('ss-floating')) {
        var late = findToolbar(route.kind);
        if (late) {
          existing.classList.remove('ss-floating');
          late.appendChild(existing);
        }
      }
      return;
    }
    if (existing) existing.remove();
    var label = route.kind === 'scenes' ? 'Identify performers' : 'Identify faces';
    var button = el('button', {
      type: 'button',
      class: 'ss-btn ss-launch btn btn-secondary',
      'data-route': key,
      text: label,
    });
    button.addEventListener('click', function () {
      if (route.kind === 'scenes') identifyScene(route.id);
      else if (route.kind === 'images') identifyImage(route.id);
      else identifyPerformer(route.id);
    });
    var toolbar = findToolbar(route.kind);
    if (toolbar) toolbar.appendChild(button);
    else {
      button.classList.add('ss-floating');
      document.body.appendChild(button);
    }
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setTimeout(function () {
      scheduled = false;
      ensureButton();
    }, 50);
  }

  function start() {
    loadSettings();
    if (
      window.PluginApi &&
      window.PluginApi.Event &&
      typeof window.PluginApi.Event.addEventListener === 'function'
    ) {
      window.PluginApi.Event.addEventListener('stash:location', schedule);
    }
    // Stash's React UI re-renders the page without reloading: watch the DOM (toolbars appear late) and history.
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    ['pushState', 'replaceState'].forEach(function (name) {
      var original = history[name];
      history[name] = function () {
        var r = original.apply(this, arguments);
        schedule();
        return r;
      };
    });
    window.addEventListener('popstate', schedule);
    schedule();
  }

  window.__stashSense = {
    queries: QUERIES,
    identifyScene: identifyScene,
    identifyImageUrl: identifyImageUrl,
    version: '0.1.0',
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
