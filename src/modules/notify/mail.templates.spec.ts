import * as templates from './mail.templates';

const installationName = 'Leicester CV3';
const requester = { firstName: 'Grace', lastName: 'Hopper' };

describe('mail templates', () => {
  const all = [
    templates.accessRequestReceived({ installationName, requester }),
    templates.newAccessRequest({
      installationName,
      request: { ...requester, requestId: 'r-1', email: 'g@example.org', affiliation: 'Navy', justification: 'Why' },
    }),
    templates.accessRequestApproved({ installationName, requester, username: 'ghopper' }),
    templates.accessRequestDenied({ installationName, requester }),
    templates.newUser({ installationName, user: requester, username: 'ghopper' }),
    templates.beaconKey({ installationName, endpointName: 'beacon-1', key: 'k', rotated: true }),
    templates.nexusCredentials({ installationName, installationKey: 'ik', realm: 'cv2', secret: 's' }),
    templates.joinRequest({ installationName, networkName: 'Net', requester: 'https://node.example.org' }),
    templates.criticalIssue({ installationName, issue: 'database inconsistency' }),
  ];

  it.each(all)('should put the installation name in the subject and the signature ($subject)', (mail) => {
    expect(mail.subject.startsWith(`${installationName}: `)).toBe(true);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain(`-- \n${installationName}`);
  });

  it('should keep request values on one line so they cannot add headers or paragraphs', () => {
    const mail = templates.newAccessRequest({
      installationName,
      request: {
        firstName: 'Eve\r\nBcc: victim@example.org',
        lastName: 'X',
        requestId: 'r-2',
        email: 'e@example.org',
        affiliation: 'A\nB',
        justification: 'line 1\r\nline 2',
      },
    });
    expect(mail.subject).toBe(`${installationName}: new access request from Eve Bcc: victim@example.org X`);
    expect(mail.text).toContain('Affiliation: A B\n');
    expect(mail.text).toContain('Justification:\nline 1\nline 2');
  });

  it('should carry a secret only in the mails that deliver one', () => {
    expect(templates.beaconKey({ installationName, endpointName: 'b', key: 'KEY-123', rotated: false }).text).toContain(
      'KEY-123',
    );
    expect(
      templates.nexusCredentials({ installationName, installationKey: 'ik', realm: 'r', secret: 'SECRET-9' }).text,
    ).toContain('SECRET-9');
    expect(templates.newUser({ installationName, user: requester, username: 'ghopper' }).text).not.toMatch(
      /password:/i,
    );
  });
});
