/* The rest of the Digitaal DNA publication for a phase (issue 12): the invitation, the tools with what each is
   for and its link, and an experience from the sector. Links are text (and, where a qr function is given, a
   QR code the server drew); nothing is fetched from them. */
import * as W from './common.js';

const el = W.el;

/** A link shown as its address (it may be tapped on a phone; the page itself loads nothing from it); it may
    break after a slash only, never inside a word (<wbr>). */
function linkText(url) {
  const parts = String(url).split('/');
  return el('a', { class: 'pub-link', href: url, rel: 'noopener noreferrer', target: '_blank' }, parts.map(function (part, i) {
    return i < parts.length - 1 ? [el('span', { class: 'nowrap', text: part + '/' }), el('wbr')] : el('span', { class: 'nowrap', text: part });
  }));
}

/** The QR code of a publication link, drawn by the server, or null without a qr function. */
function qrImage(qr, phase, key) {
  return qr ? el('img', { class: 'pub-qr', src: qr(phase.id, key), alt: W.t('pub_qr_alt'), width: 96, height: 96,
    loading: 'lazy' }) : null;
}

/** The address of a publication link's QR code (GET /publication/<phase>/<key>.svg: the server draws it). */
export function pubQr(pid, key) {
  return '/publication/' + encodeURIComponent(pid) + '/' + key + '.svg';
}

/** "Sounds familiar?" and the note that the English is our translation. */
export function pubInvitation(phase) {
  const pub = phase.publication;
  return el('p', { class: 'pub-invitation', text: pub.invitation });
}

/** The note under translated texts, or null. */
export function pubTranslated(phase) {
  return phase.publication.translated ? el('p', { class: 'pub-translated', text: W.t('pub_translated') }) : null;
}

/** The tools: name, what it is for, its link (and QR code). */
export function pubTools(phase, qr) {
  return el('ul', { class: 'pub-tools', 'data-fit-pages': '' }, phase.publication.tools.map(function (tool, i) {
    return el('li', { class: 'pub-tool' },
      qrImage(qr, phase, 'tool-' + i),
      el('div', {},
        el('strong', { class: 'pub-tool-name', text: tool.name }),
        el('p', { class: 'pub-tool-purpose', text: tool.purpose }),
        linkText(tool.url)));
  }));
}

/** The experience from the sector: the quote, who said it, the link to the video (and QR code). */
export function pubExperience(phase, qr) {
  const x = phase.publication.experience;
  return el('figure', { class: 'pub-experience' },
    el('blockquote', {}, el('p', { text: x.quote })),
    el('figcaption', {}, W.t('pub_who', { person: x.person, organisation: x.organisation })),
    el('div', { class: 'pub-experience-link' }, qrImage(qr, phase, 'experience'),
      el('p', {}, W.t('pub_watch'), ' ', linkText(x.url))));
}
