/*
 * One small function per mail event, each returning a subject (one line) and a plain-text body. They carry the
 * installation's name and never a secret, except the events whose purpose is to deliver one (Beacon key, Nexus
 * credentials). Values from requests are put on lines of their own; subjects only take one-line values.
 */

export interface MailContent {
  subject: string;
  text: string;
}

interface Person {
  firstName: string;
  lastName: string;
}

/** Control characters (CR/LF included) out, so a value cannot add header lines or fake paragraphs. */
function line(value: string): string {
  return value.replace(/\p{Cc}+/gu, ' ').trim();
}

function body(...paragraphs: (string | undefined)[]): string {
  return `${paragraphs.filter((p) => p !== undefined).join('\n\n')}\n`;
}

function signature(installationName: string): string {
  return `-- \n${line(installationName)}`;
}

/** To the requester, when their anonymous request has been stored. */
export function accessRequestReceived(p: { installationName: string; requester: Person }): MailContent {
  return {
    subject: `${line(p.installationName)}: access request received`,
    text: body(
      `Dear ${line(p.requester.firstName)} ${line(p.requester.lastName)},`,
      `we have received your request for an account at ${line(p.installationName)}. An administrator will review it; ` +
        'you will get another mail once it has been decided.',
      'If you did not ask for an account, you can ignore this mail.',
      signature(p.installationName),
    ),
  };
}

/** To the installation's user managers, when a request arrives. */
export function newAccessRequest(p: {
  installationName: string;
  request: Person & { requestId: string; email: string; affiliation: string; justification: string };
}): MailContent {
  const r = p.request;
  return {
    subject: `${line(p.installationName)}: new access request from ${line(r.firstName)} ${line(r.lastName)}`,
    text: body(
      `A new access request is waiting for review at ${line(p.installationName)}.`,
      [
        `Name: ${line(r.firstName)} ${line(r.lastName)}`,
        `Email: ${line(r.email)}`,
        `Affiliation: ${line(r.affiliation)}`,
        `Request ID: ${r.requestId}`,
      ].join('\n'),
      `Justification:\n${r.justification.replace(/\r\n?/g, '\n')}`,
      'Approve or deny it under User management > Access requests.',
      signature(p.installationName),
    ),
  };
}

/** To the requester, when a user manager approved the request (Keycloak sends the set-password mail itself). */
export function accessRequestApproved(p: {
  installationName: string;
  requester: Person;
  username: string;
}): MailContent {
  return {
    subject: `${line(p.installationName)}: access request approved`,
    text: body(
      `Dear ${line(p.requester.firstName)} ${line(p.requester.lastName)},`,
      `your request for an account at ${line(p.installationName)} has been approved. Your username is ` +
        `${line(p.username)}. You will receive a separate mail with a link to set your password.`,
      signature(p.installationName),
    ),
  };
}

/** To the requester, when a user manager denied the request. */
export function accessRequestDenied(p: { installationName: string; requester: Person }): MailContent {
  return {
    subject: `${line(p.installationName)}: access request denied`,
    text: body(
      `Dear ${line(p.requester.firstName)} ${line(p.requester.lastName)},`,
      `your request for an account at ${line(p.installationName)} has not been approved. ` +
        'Please contact the installation owner if you think this is a mistake.',
      signature(p.installationName),
    ),
  };
}

/**
 * To a user an administrator created. Keycloak sends the set-password mail for new users, so this one only
 * says that an account exists; it carries no credential.
 */
export function newUser(p: { installationName: string; user: Person; username: string }): MailContent {
  return {
    subject: `${line(p.installationName)}: your account`,
    text: body(
      `Dear ${line(p.user.firstName)} ${line(p.user.lastName)},`,
      `an account with the username ${line(p.username)} has been created for you at ${line(p.installationName)}. ` +
        'A separate mail has a link to set your password.',
      signature(p.installationName),
    ),
  };
}

/** To the requesting admin: a Beacon endpoint's key, on request or after rotation. Delivering it is the point. */
export function beaconKey(p: {
  installationName: string;
  endpointName: string;
  key: string;
  rotated: boolean;
}): MailContent {
  return {
    subject: `${line(p.installationName)}: Beacon endpoint key for ${line(p.endpointName)}`,
    text: body(
      `${p.rotated ? 'The key was rotated. The new' : 'The current'} authentication key of the Beacon endpoint ` +
        `"${line(p.endpointName)}" at ${line(p.installationName)} is:`,
      line(p.key),
      'Keep it secret. Anyone with it can query the endpoint.',
      signature(p.installationName),
    ),
  };
}

/** Nexus mode: a CV2 installation's credentials. Delivering them is the point. */
export function nexusCredentials(p: {
  installationName: string;
  installationKey: string;
  realm: string;
  secret: string;
}): MailContent {
  return {
    subject: `${line(p.installationName)}: Nexus credentials for ${line(p.installationKey)}`,
    text: body(
      `Credentials for the CV2 installation ${line(p.installationKey)} (realm ${line(p.realm)}) at ` +
        `${line(p.installationName)}:`,
      `Installation key: ${line(p.installationKey)}\nSecret: ${line(p.secret)}`,
      'Keep the secret safe. It cannot be shown again.',
      signature(p.installationName),
    ),
  };
}

/** A node asks to join a discovery network (or a join request has waited unanswered). */
export function joinRequest(p: {
  installationName: string;
  networkName: string;
  requester: string;
  waitingDays?: number;
}): MailContent {
  const waiting = p.waitingDays === undefined ? '' : ` It has been waiting for ${p.waitingDays} day(s).`;
  return {
    subject: `${line(p.installationName)}: join request for network ${line(p.networkName)}`,
    text: body(
      `${line(p.requester)} asks to join the discovery network "${line(p.networkName)}".${waiting}`,
      'Approve or deny it under Discovery networks > Requests.',
      signature(p.installationName),
    ),
  };
}

/** Something an operator must look at (e.g. a database inconsistency). Only a summary, no data. */
export function criticalIssue(p: { installationName: string; issue: string; detail?: string }): MailContent {
  return {
    subject: `${line(p.installationName)}: critical issue: ${line(p.issue).slice(0, 120)}`,
    text: body(
      `${line(p.installationName)} reported a critical issue: ${line(p.issue)}`,
      p.detail,
      'See the backend logs for details.',
      signature(p.installationName),
    ),
  };
}
