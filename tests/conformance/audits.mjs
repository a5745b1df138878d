// Runs graphql-http's server audits against the URL given as the first argument and
// prints one JSON line per audit: {"id", "name", "status", "reason"}.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const audits = serverAudits({ url });
for (const audit of audits) {
  const result = await audit.fn();
  console.log(
    JSON.stringify({
      id: audit.id,
      name: audit.name,
      status: result.status,
      reason: result.status === 'ok' ? null : result.reason,
    }),
  );
}
