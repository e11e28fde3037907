/**
 * Evidence files (佐证材料) as selfeval accepts them: a file name a person would recognise, at most
 * {@link MAX_EVIDENCE_BYTES}, of a type an office files as evidence — and that type is decided by
 * the bytes, not the name: a file whose content is not what its extension says is refused (a
 * renamed executable is not a PDF). Pure: the API and the CLI call it before anything is stored.
 */
import type { Problem } from './validation';

/** 10 MiB: a scanned contract or a photographed acceptance certificate, not an archive of them. */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
export const MAX_EVIDENCE_NAME = 200;

interface EvidenceType {
  extensions: readonly string[];
  mediaType: string;
  labelZh: string;
  /** Whether the bytes are of this type. */
  matches(bytes: Uint8Array): boolean;
}

const startsWith = (bytes: Uint8Array, ...sig: number[]) => sig.every((b, i) => bytes[i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const zip = (bytes: Uint8Array) => startsWith(bytes, 0x50, 0x4b, 0x03, 0x04);
/** An Office Open XML package names its main part in the zip's directory (stored as plain text). */
function zipContains(bytes: Uint8Array, name: string): boolean {
  if (!zip(bytes)) return false;
  const needle = Buffer.from(name, 'latin1');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}
/** Text: valid UTF-8 without NUL or other control characters than tab, CR and LF. */
function isText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

export const evidenceTypes: readonly EvidenceType[] = [
  { extensions: ['pdf'], mediaType: 'application/pdf', labelZh: 'PDF', matches: (b) => startsWith(b, ...ascii('%PDF-')) },
  { extensions: ['png'], mediaType: 'image/png', labelZh: 'PNG 图片', matches: (b) => startsWith(b, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
  { extensions: ['jpg', 'jpeg'], mediaType: 'image/jpeg', labelZh: 'JPEG 图片', matches: (b) => startsWith(b, 0xff, 0xd8, 0xff) },
  { extensions: ['docx'], mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', labelZh: 'Word 文档', matches: (b) => zipContains(b, 'word/') },
  { extensions: ['xlsx'], mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', labelZh: 'Excel 工作簿', matches: (b) => zipContains(b, 'xl/') },
  { extensions: ['doc', 'xls'], mediaType: 'application/x-ole-storage', labelZh: '旧版 Office 文档', matches: (b) => startsWith(b, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1) },
  { extensions: ['ofd'], mediaType: 'application/ofd', labelZh: 'OFD 版式文件', matches: (b) => zipContains(b, 'OFD.xml') },
  { extensions: ['txt', 'csv'], mediaType: 'text/plain; charset=utf-8', labelZh: '文本', matches: isText },
];

export const allowedExtensions = evidenceTypes.flatMap((t) => t.extensions);

/** What a byte sequence is, by its content (the first type whose signature matches). */
export function detectEvidenceType(bytes: Uint8Array): EvidenceType | undefined {
  return evidenceTypes.find((t) => t.extensions[0] !== 'txt' && t.matches(bytes)) ?? (isText(bytes) ? evidenceTypes.find((t) => t.extensions[0] === 'txt') : undefined);
}

/** The name as stored and shown: the last path segment, trimmed, without control characters. */
export function cleanFileName(name: string): string {
  return (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
}

export type EvidenceCheck = { ok: true; fileName: string; mediaType: string } | { ok: false; problems: Problem[] };

/**
 * Checks a file before it is stored: its name, its size and that its content is the type its
 * extension says. Every problem is listed (path `fileName` or `content`).
 */
export function checkEvidenceFile(rawName: string, bytes: Uint8Array): EvidenceCheck {
  const problems: Problem[] = [];
  const add = (path: string, code: string, zh: string, en: string) => problems.push({ path, code, zh, en });
  const fileName = cleanFileName(rawName);
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  if (!fileName || fileName === `.${ext ?? ''}`) add('fileName', 'file_name_required', '请给出文件名', 'give the file name');
  else if (fileName.length > MAX_EVIDENCE_NAME) add('fileName', 'file_name_too_long', `文件名不能超过 ${MAX_EVIDENCE_NAME} 个字符`, `the file name may have at most ${MAX_EVIDENCE_NAME} characters`);
  const declared = ext === undefined ? undefined : evidenceTypes.find((t) => t.extensions.includes(ext));
  if (fileName && !declared) {
    add('fileName', 'file_type_not_allowed', `不接受此类文件（${ext ? `.${ext}` : '无扩展名'}）；可上传：${allowedExtensions.map((e) => `.${e}`).join('、')}`, `this file type is not accepted (${ext ? `.${ext}` : 'no extension'}); allowed: ${allowedExtensions.join(', ')}`);
  }
  if (bytes.length === 0) add('content', 'file_empty', '文件为空', 'the file is empty');
  else if (bytes.length > MAX_EVIDENCE_BYTES) {
    add('content', 'file_too_large', `文件 ${(bytes.length / 1024 / 1024).toFixed(1)} MB，超过上限 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB`, `the file is ${(bytes.length / 1024 / 1024).toFixed(1)} MB, above the ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB limit`);
  } else if (declared && !declared.matches(bytes)) {
    const actual = detectEvidenceType(bytes);
    add(
      'content',
      'content_type_mismatch',
      `文件内容不是${declared.labelZh}${actual ? `（实为${actual.labelZh}）` : '（无法识别的内容）'}，与扩展名 .${ext} 不符`,
      `the content is not ${declared.mediaType}${actual ? ` (it is ${actual.mediaType})` : ' (unrecognised content)'}, so it does not match .${ext}`,
    );
  }
  if (problems.length || !declared) return { ok: false, problems };
  return { ok: true, fileName, mediaType: declared.mediaType };
}
