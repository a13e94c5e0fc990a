/**
 * Section 2: the seed blueprint's call pattern against the same Zoho emulator, as calls and credits per order:
 * search the contact by email, update it (PUT /Contacts/{id}) or create it (POST /Contacts), then create the deal
 * (POST /Deals). Plain HTTP with a valid token; no retries, no account, no idempotent deal key.
 */
require('../test/support/register-ts');
const { ZohoEmulator } = require('../test/emulators/zoho.ts');
const { historicalOrder } = require('./backfill');

async function runSeedPattern({ orders = 200 } = {}) {
	const zoho = await ZohoEmulator.start({ edition: 'standard', orderIdField: true });
	const token = zoho.issueAccessToken();
	const api = async (method, path, body) => {
		const response = await fetch(`${zoho.url}/crm/v8${path}`, {
			method,
			headers: { Authorization: `Zoho-oauthtoken ${token}`, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		return { status: response.status, json: text ? JSON.parse(text) : undefined };
	};
	try {
		for (let index = 0; index < orders; index++) {
			const order = historicalOrder(index);
			const contact = { Last_Name: order.billing.last_name, First_Name: order.billing.first_name, Email: order.billing.email };
			const found = await api('GET', `/Contacts/search?email=${encodeURIComponent(order.billing.email)}`);
			let contactId;
			if (found.status === 200 && found.json.data.length > 0) {
				contactId = found.json.data[0].id;
				await api('PUT', `/Contacts/${contactId}`, { data: [contact] });
			} else {
				contactId = (await api('POST', '/Contacts', { data: [contact] })).json.data[0].details.id;
			}
			await api('POST', '/Deals', {
				data: [{ Deal_Name: `WooCommerce Order #${order.number}`, Stage: 'Closed Won', Amount: Number(order.total), Contact_Name: { id: contactId } }],
			});
		}
		return {
			orders,
			callsPerOrder: zoho.apiCalls().length / orders,
			creditsPerOrder: zoho.creditsUsed() / orders,
			contacts: zoho.records('Contacts').length,
			deals: zoho.records('Deals').length,
		};
	} finally {
		await zoho.stop();
	}
}

module.exports = { runSeedPattern };

if (require.main === module) runSeedPattern().then((result) => console.log(result));
