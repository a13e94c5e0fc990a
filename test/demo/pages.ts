/**
 * The demo's two pages: plain HTML, a little CSS and a few lines of script that poll a JSON endpoint of the same
 * server every 2 s and render tables. No framework, no build step.
 */

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1f2937; background: #f6f7f9; }
header { padding: 14px 24px; color: #fff; display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
header a { color: #fff; }
main { padding: 12px 24px 32px; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
h2 { font-size: 15px; margin: 2px 0 8px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
th { color: #6b7280; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
button { font: inherit; padding: 6px 12px; border-radius: 5px; border: 1px solid #c7cbd1; background: #fff; cursor: pointer; margin: 2px 4px 2px 0; }
button.primary { background: #7f54b3; border-color: #7f54b3; color: #fff; }
.muted { color: #6b7280; }
.ok { color: #047857; }
.bad { color: #b91c1c; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 16px; }
.grid > section { margin: 12px 0 0; }
#flash { min-height: 1.4em; margin: 6px 0 0; }
`;

/** Shared client script: fetch JSON, escape text, render a table from column specs. */
const SCRIPT_HELPERS = `
const esc = (value) => String(value ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function table(id, rows, columns, empty) {
	const head = '<tr>' + columns.map((c) => '<th>' + esc(c[0]) + '</th>').join('') + '</tr>';
	const body = rows.length === 0
		? '<tr><td class="muted" colspan="' + columns.length + '">' + esc(empty) + '</td></tr>'
		: rows.map((row) => '<tr>' + columns.map((c) => '<td' + (c[2] ? ' class="' + c[2] + '"' : '') + '>' + c[1](row) + '</td>').join('') + '</tr>').join('');
	document.getElementById(id).innerHTML = head + body;
}
async function getJson(path) { const response = await fetch(path); return await response.json(); }
function every(ms, task) { const tick = () => task().catch(() => undefined).finally(() => setTimeout(tick, ms)); tick(); }
`;

function page(title: string, color: string, body: string, script: string): string {
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>${STYLE}header { background: ${color}; }</style></head>
<body>${body}<script>${SCRIPT_HELPERS}${script}</script></body></html>`;
}

export function storePage(): string {
	return page(
		'Demo store (WooCommerce)',
		'#7f54b3',
		`<header><h1>Demo store</h1><span>WooCommerce REST API at <code>/wp-json/wc/v3</code></span>
<span id="links"></span></header>
<main>
<section>
	<button class="primary" id="place-one">Place an order</button>
	<button id="place-twenty">Place 20 orders</button>
	<div id="flash" class="muted"></div>
</section>
<section>
	<h2>Make the demo Zoho misbehave</h2>
	<button data-fault="rate-limit">429 with Retry-After: 5 s (next 2 calls)</button>
	<button data-fault="outage">500 Internal Error (next 2 calls)</button>
	<button data-fault="refuse-next-order">Zoho refuses the next order (invalid email, 400)</button>
	<button data-fault="expire-token">Expire the access token</button>
	<button data-fault="clear">Back to normal</button>
	<div class="muted">Refused orders land in n8n's Data Table <b>zoho_sync_dead_letters</b>; after "Back to normal", run the workflow
	<b>Zoho Sync: replay dead letters</b> in n8n to replay them.</div>
	<div id="armed" class="muted"></div>
</section>
<section><h2>Webhooks registered by n8n</h2><table id="webhooks"></table></section>
<section><h2>Orders</h2><table id="orders"></table></section>
</main>`,
		`
const flash = (text, cls) => { const el = document.getElementById('flash'); el.textContent = text; el.className = cls || 'muted'; };
async function post(path, body) {
	const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	const json = await response.json();
	if (!response.ok) throw new Error(json.message || response.statusText);
	return json;
}
async function place(count) {
	try {
		const placed = await post('/demo/orders', { count });
		flash('Placed order' + (placed.orders.length > 1 ? 's ' : ' ') + placed.orders.map((o) => '#' + o.number).join(', ') + ' — WooCommerce delivers order.created to n8n.', 'ok');
	} catch (error) { flash(error.message, 'bad'); }
	await refresh();
}
document.getElementById('place-one').onclick = () => place(1);
document.getElementById('place-twenty').onclick = () => place(20);
for (const button of document.querySelectorAll('[data-fault]')) {
	button.onclick = async () => {
		try { flash((await post('/demo/faults', { fault: button.dataset.fault })).message, 'ok'); } catch (error) { flash(error.message, 'bad'); }
		await refresh();
	};
}
const delivery = (d) => !d ? '<span class="muted">—</span>' : d.status === 'sending' ? '<span class="muted">sending…</span>'
	: '<span class="' + (d.status >= 200 && d.status < 300 ? 'ok' : 'bad') + '">' + esc(d.status) + '</span>';
async function refresh() {
	const state = await getJson('/demo/state');
	document.getElementById('links').innerHTML = 'n8n: <a href="' + esc(state.links.n8n) + '">' + esc(state.links.n8n) + '</a> · Zoho: <a href="' + esc(state.links.zoho) + '">' + esc(state.links.zoho) + '</a>';
	document.getElementById('armed').textContent = state.refuseNextOrder ? 'Zoho will refuse the next order placed.' : '';
	table('webhooks', state.webhooks, [
		['ID', (w) => esc(w.id)], ['Name', (w) => esc(w.name)], ['Topic', (w) => esc(w.topic)], ['Status', (w) => esc(w.status)],
		['Delivery URL', (w) => '<code>' + esc(w.delivery_url) + '</code>'],
	], 'None yet: n8n registers one when the deal workflow is published.');
	table('orders', state.orders, [
		['Order', (o) => '#' + esc(o.number)], ['Created', (o) => esc(o.date_created.replace('T', ' '))],
		['Customer', (o) => esc(o.billing.first_name + ' ' + o.billing.last_name) + (o.customer_id ? '' : ' <span class="muted">(guest)</span>')],
		['Company', (o) => esc(o.billing.company)], ['Email', (o) => esc(o.billing.email)],
		['Items', (o) => o.line_items.map((l) => esc(l.quantity + ' × ' + l.name)).join('<br>')],
		['Coupon', (o) => esc(o.coupon_lines.map((c) => c.code).join(', '))],
		['Tax', (o) => esc(o.total_tax), 'num'], ['Total', (o) => esc(o.currency_symbol + ' ' + o.total + ' ' + o.currency), 'num'],
		['Webhook', (o) => delivery(state.deliveries[o.id])],
	], 'No orders yet: click "Place an order".');
}
every(2000, refresh);
`,
	);
}

export function zohoPage(): string {
	return page(
		'Demo Zoho CRM org',
		'#e42527',
		`<header><h1>Demo Zoho CRM org</h1><span>Accounts server <code>/oauth/v2/token</code>, CRM API <code>/crm/v8</code></span>
<span id="links"></span></header>
<main>
<section><h2>Deals</h2><table id="deals"></table></section>
<div class="grid">
	<section><h2>Contacts</h2><table id="contacts"></table></section>
	<section><h2>Accounts</h2><table id="accounts"></table></section>
</div>
<section><h2>Sales Orders</h2><table id="sales-orders"></table></section>
<section><h2>API calls <span id="credits" class="muted"></span></h2><table id="calls"></table></section>
</main>`,
		`
const name = (lookup) => esc(lookup && lookup.name);
const amount = (value, currency) => value === undefined || value === null ? '' : esc(Number(value).toFixed(2) + ' ' + (currency || ''));
async function refresh() {
	const org = await getJson('/demo/org');
	document.getElementById('links').innerHTML = 'Store: <a href="' + esc(org.links.store) + '">' + esc(org.links.store) + '</a> · n8n: <a href="' + esc(org.links.n8n) + '">' + esc(org.links.n8n) + '</a>';
	table('deals', org.deals, [
		['Deal', (d) => esc(d.Deal_Name)], ['Order ID', (d) => esc(d.WooCommerce_Order_ID)], ['Stage', (d) => esc(d.Stage)],
		['Amount', (d) => amount(d.Amount, d.Currency), 'num'], ['Contact', (d) => name(d.Contact_Name)], ['Account', (d) => name(d.Account_Name)],
		['Closing', (d) => esc(d.Closing_Date)], ['Created', (d) => esc(d.Created_Time)],
	], 'No deals yet.');
	table('contacts', org.contacts, [
		['Name', (c) => esc(c.Full_Name)], ['Email', (c) => esc(c.Email)], ['Account', (c) => name(c.Account_Name)],
		['City', (c) => esc(c.Mailing_City)], ['Country', (c) => esc(c.Mailing_Country)],
	], 'No contacts yet.');
	table('accounts', org.accounts, [
		['Account', (a) => esc(a.Account_Name)], ['City', (a) => esc(a.Billing_City)], ['Country', (a) => esc(a.Billing_Country)],
	], 'No accounts yet.');
	table('sales-orders', org.salesOrders, [
		['Subject', (s) => esc(s.Subject)], ['Order ID', (s) => esc(s.WooCommerce_Order_ID)], ['Contact', (s) => name(s.Contact_Name)],
		['Lines', (s) => (s.Ordered_Items || []).map((l) => esc(l.Quantity + ' × ' + (l.Product_Name && l.Product_Name.name) + ' @ ' + l.List_Price)).join('<br>')],
		['Grand total', (s) => amount(s.Grand_Total, s.Currency), 'num'],
	], 'None: the bundled Sales Order workflow is not part of the demo; the deal workflow creates deals.');
	document.getElementById('credits').textContent = '— ' + org.callCount + ' calls, ' + org.creditsUsed + ' credits used (of 50000 a day)';
	table('calls', org.calls, [
		['Time', (c) => esc(c.time)], ['Call', (c) => '<code>' + esc(c.method + ' ' + c.path) + '</code>'],
		['Status', (c) => '<span class="' + (c.status >= 200 && c.status < 300 ? 'ok' : 'bad') + '">' + esc(c.status || 'dropped') + '</span>'],
		['Credits', (c) => esc(c.credits), 'num'],
	], 'No calls yet.');
}
every(2000, refresh);
`,
	);
}
