// Plays a bedside monitor with the independent npm client node-hl7-client:
// sends each ORU^R01 of a JSON file to the listener and prints the ACKs as JSON.
// Usage: node node_monitor.mjs PORT MESSAGES.json
import { readFileSync } from "node:fs";
import { Client, Message } from "node-hl7-client";

const [port, file] = process.argv.slice(2);
const texts = JSON.parse(readFileSync(file, "utf8"));
const acks = [];
let wake = null;

const client = new Client({ host: "127.0.0.1" });
const outbound = client.createConnection({ port: Number(port), waitAck: true }, async (res) => {
  const msg = res.getMessage();
  acks.push({ code: msg.get("MSA.1").toString(), control_id: msg.get("MSA.2").toString(),
              text: msg.get("MSA.3").toString() });
  if (wake) wake();
});

const timer = setTimeout(() => { console.error("no ACK in time"); process.exit(3); }, 60000);
for (const text of texts) {
  const answered = new Promise((resolve) => { wake = resolve; });
  await outbound.sendMessage(new Message({ text }));
  await answered;
}
clearTimeout(timer);
await outbound.close();
process.stdout.write(JSON.stringify(acks));
process.exit(0);
