import pg from 'pg';
import { BUSY_TEXT } from '../../src/slack/submission-deadline';
import { waitUntil } from '../support/wait';
import { Harness, HOME_CHANNEL, textOf } from '../support/harness';
import type { HttpResult } from '../support/slack-requests';

// The guard answers at 2.5 s; Slack gives up at 3 s.
const SLACK_LIMIT_MS = 3000;

/** Holds an ACCESS EXCLUSIVE lock on a table from a connection of its own, as a stuck migration would. */
async function lockTable(url: string, table: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query(`lock table ${table} in access exclusive mode`);
  return async () => {
    await client.query('rollback');
    await client.end();
  };
}

const homePosts = (h: Harness) => h.fake.callsOf('chat.postMessage').filter((c) => c.params.channel === HOME_CHANNEL);

/**
 * Submits `view` while `table` is locked; checks Slack got the busy modal in time, then releases
 * the lock and waits for the abandoned listener to run out.
 */
async function submitWhileLocked(
  h: Harness,
  table: string,
  submit: () => Promise<HttpResult>,
  callbackId: string,
): Promise<void> {
  const release = await lockTable(h.database.url!, table);
  try {
    const started = Date.now();
    const result = await submit();
    const elapsed = Date.now() - started;

    expect(result.status).toBe(200);
    expect(elapsed).toBeLessThan(SLACK_LIMIT_MS);
    const answer = result.json();
    expect(answer.response_action).toBe('push');
    const busy = textOf({ view: answer.view });
    expect(busy).toContain(BUSY_TEXT);
    expect(busy).toContain('nothing was saved');
  } finally {
    await release();
  }
  // The listener's reads now go through; its ack refuses, so it stops before storing or posting.
  await waitUntil('the abandoned listener to stop', () =>
    h.logs.some((line) => line.includes(`abandoned submission of ${callbackId} stopped before storing anything`)),
  );
  // And the request itself has finished: nothing else can follow.
  await h.settled();
}

describe.each([true, false])('a modal submission while the database hangs (processBeforeResponse %s)', (before) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start({ processBeforeResponse: before });
    await h.setupCop('U1');
    // Without processBeforeResponse, setup finishes after its response.
    await waitUntil('the CoP to be set up', async () => {
      const members = await h.db.selectFrom('members').select('user_id').execute();
      return members.length === 3 && homePosts(h).length > 0;
    });
  });
  afterAll(() => h.stop());

  it('a proposal: the user is told nothing was saved; nothing is stored or posted; submitting again works', async () => {
    const opened = h.fake.callsOf('views.open').length;
    await h.command('U2', 'propose Cameras optional');
    await h.fake.waitFor('views.open', (c) => h.fake.callsOf('views.open').indexOf(c) >= opened);
    const view = h.lastOpenedView('norms:propose');
    const values = {
      kind: 'new',
      title: 'Cameras optional',
      body: 'Nobody has to turn their camera on in our calls.',
      rationale: 'Some of us call from noisy, shared places.',
    };
    const postsBefore = homePosts(h).length;

    // numberedNorms reads `norms` just before the ack.
    await submitWhileLocked(h, 'norms', () => h.submitView('U2', view, values), 'norms:propose');

    expect(await h.db.selectFrom('proposals').selectAll().execute()).toEqual([]);
    expect(homePosts(h)).toHaveLength(postsBefore);

    // The form is still there under the busy modal; submitting it again goes through.
    const again = await h.submitView('U2', view, values);
    expect(again.body).toBe('');
    await waitUntil('the proposal to be posted', () => homePosts(h).length > postsBefore);
    const stored = await h.db.selectFrom('proposals').select('title').execute();
    expect(stored).toEqual([{ title: 'Cameras optional' }]);
  }, 20_000);
});

describe('struggles and meetings submissions while the database hangs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start();
    await h.setupCop('U1');
  });
  afterAll(() => h.stop());

  it('a struggle: nothing is stored and nothing is posted, anonymously or otherwise', async () => {
    await h.command('U2', 'struggle');
    const view = h.lastOpenedView('struggles:post');
    const postsBefore = homePosts(h).length;
    const updatesBefore = h.fake.callsOf('views.update').length;

    // The hourly budget reads `struggles` just before the ack.
    await submitWhileLocked(
      h,
      'struggles',
      () => h.submitView('U2', view, { text: 'I never know how to start a code review of a huge change.' }),
      'struggles:post',
    );

    expect(await h.db.selectFrom('struggles').selectAll().execute()).toEqual([]);
    expect(homePosts(h)).toHaveLength(postsBefore);
    expect(h.fake.callsOf('views.update')).toHaveLength(updatesBefore);
  }, 20_000);

  it('a meeting schedule: no meeting is stored and nothing is announced', async () => {
    const cop = await h.db.selectFrom('cops').select('id').executeTakeFirstOrThrow();
    await h.clickButton('U1', 'meetings:schedule', String(cop.id), { messageTs: '1.1' });
    const view = h.lastOpenedView('meetings:schedule');
    const postsBefore = homePosts(h).length;

    // The coordinator check reads `coordinators` before the ack.
    await submitWhileLocked(
      h,
      'coordinators',
      () =>
        h.submitView('U1', view, {
          weekday: '2',
          time: '10:00',
          zone: 'Europe/Amsterdam',
          length: '60',
          location: 'https://meet.example.com/cop',
          lead: '60',
          skip: '',
        }),
      'meetings:schedule',
    );

    expect(await h.db.selectFrom('meetings').selectAll().execute()).toEqual([]);
    expect(homePosts(h)).toHaveLength(postsBefore);
  }, 20_000);
});
