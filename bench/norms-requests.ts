import type { SignedRequest } from './load';
import { signed } from './load';
import { TEAM_ID } from './fake-slack';

export const BENCH_SECRET = 'bench-signing-secret';

/** `n` signed `/cop norms` commands from `users` in turn, each with a response URL of its own. */
export function normsRequests(
  responseUrl: (id: string) => string,
  channelId: string,
  users: string[],
  n: number,
  tag: string,
): SignedRequest[] {
  return Array.from({ length: n }, (_, i) =>
    signed(
      BENCH_SECRET,
      new URLSearchParams({
        token: 'legacy',
        team_id: TEAM_ID,
        team_domain: 'bench',
        channel_id: channelId,
        channel_name: 'cop',
        user_id: users[i % users.length]!,
        user_name: 'bench',
        command: '/cop',
        text: 'norms',
        api_app_id: 'A0BENCH',
        response_url: responseUrl(`${tag}-${i}`),
        trigger_id: `trigger.${tag}.${i}`,
      }).toString(),
      'application/x-www-form-urlencoded',
    ),
  );
}
