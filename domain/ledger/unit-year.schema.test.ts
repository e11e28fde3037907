import { describe, expect, it } from 'vitest';
import { seedDocument, seedUnitYear } from '../../tests/fixtures/seed';
import { parseUnitYear } from './unit-year.schema';

function problemsOf(doc: unknown) {
  const r = parseUnitYear(doc);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('the seed unit-year', () => {
  it('parses with every stated figure in 分', () => {
    const y = seedUnitYear();
    expect(y.year).toBe(2020);
    expect(y.unit.staffQuota).toBe(16);
    expect(y.staff).toMatchObject({ actual: 12, previousYear: 11 });
    expect(y.stated.income.total.amount).toBe(2_217_420_000);
    expect(y.stated.carryOver.amount).toBe(993_560_000);
    expect(y.stated.expenditure.personnelShare?.shareBp).toBe(7_500);
    expect(y.projects.map((p) => p.code)).toEqual(['smart-city', 'brain-gov-service', 'extranet', 'power', 'fiscal-platform']);
    expect(y.projects.flatMap((p) => p.holdbacks.map((h) => [h.kind, h.amount]))).toEqual([
      ['om_assessment', 83_690_000],
      ['retention', 10_920_000],
      ['retention', 7_620_000],
      ['milestone', 98_510_000],
      ['acceptance', 45_940_000],
    ]);
    expect(y.unit.sections).toHaveLength(6);
    expect(y.submissions.map((s) => s.section).sort()).toEqual(['bigdata-ops', 'dev-apps', 'general', 'network', 'projects']);
  });
});

describe('a malformed unit-year', () => {
  it('reports wrong types, negative amounts, sub-fen amounts and missing units, each with its path', () => {
    const doc = seedDocument();
    doc['year'] = '2020';
    doc['unit']['staffQuota'] = -1;
    doc['stated']['income']['total'] = { amount: '-5万元', source: '二（一）' };
    doc['stated']['carryOver'] = '993.561元';
    doc['projects'][1]['allocations'][0]['amount'] = '918';
    doc['projects'][1]['payments'][0]['amount'] = '917.6500001万元';
    const byPath = Object.fromEntries(problemsOf(doc).map((p) => [p.path, p]));
    expect(byPath['year']).toMatchObject({ code: 'invalid_type', zh: '应为数字，实际为文本' });
    expect(byPath['unit.staffQuota']?.code).toBe('too_small');
    expect(byPath['stated.income.total.amount']).toMatchObject({ code: 'negative_amount', zh: '金额不能为负数' });
    expect(byPath['stated.carryOver']?.en).toContain('fractions of a fen');
    expect(byPath['projects[1].allocations[0].amount']?.zh).toContain('金额须注明单位');
    expect(byPath['projects[1].payments[0].amount']?.en).toContain('fractions of a fen');
    for (const p of Object.values(byPath)) {
      expect(p.zh.length).toBeGreaterThan(0);
      expect(p.en.length).toBeGreaterThan(0);
    }
  });

  it('reports a payment larger than its contract, unknown references and duplicate ids together', () => {
    const doc = seedDocument();
    const smart = doc['projects'][0];
    smart['contracts'][1]['amount'] = '100万元'; // 一件事一次办 paid 169.1万元
    smart['payments'].push({ code: 'pay-ghost', allocation: 'no-such-allocation', contract: 'no-such-contract', amount: '1元' });
    smart['holdbacks'].push({ code: 'xueliang-om-2020', kind: 'om_assessment', allocation: 'xueliang-police', amount: '1元', condition: '重复', period: '2020' });
    doc['projects'].push({ ...doc['projects'][3] }); // duplicate project "power" and its codes
    doc['people'].push({ name: '另一人', email: 'FINANCE@yiyang-smart-city.example.invalid', roles: ['section_head'] });
    const problems = problemsOf(doc);
    const codes = problems.map((p) => `${p.code}@${p.path}`);
    expect(codes).toContain('payment_exceeds_contract@projects[0].payments[2].amount');
    expect(codes).toContain('unknown_allocation@projects[0].payments[4].allocation');
    expect(codes).toContain('unknown_contract@projects[0].payments[4].contract');
    expect(codes).toContain('duplicate_code@projects[0].holdbacks[3].code');
    expect(codes).toContain('duplicate_code@projects[5].code');
    expect(codes).toContain('duplicate_code@projects[5].allocations[0].code');
    expect(codes).toContain('duplicate_email@people[8].email');
    expect(codes).toContain('required@people[8].section');
    const exceeds = problems.find((p) => p.code === 'payment_exceeds_contract');
    expect(exceeds?.zh).toBe('合同 one-thing-once-build 的支付合计 169.10 万元超过合同金额 100.00 万元');
  });

  it('checks what each kind of holdback needs', () => {
    const doc = seedDocument();
    doc['projects'][0]['holdbacks'][1]['contract'] = undefined; // retention without warranty data
    delete doc['projects'][0]['holdbacks'][0]['period'];
    delete doc['projects'][2]['holdbacks'][0]['milestone'];
    delete doc['projects'][4]['holdbacks'][0]['contract'];
    const codes = problemsOf(doc).map((p) => `${p.code}@${p.path}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'retention_without_warranty@projects[0].holdbacks[1].contract',
        'required@projects[0].holdbacks[0].period',
        'required@projects[2].holdbacks[0].milestone',
        'required@projects[4].holdbacks[0].contract',
      ]),
    );
  });

  it('refuses payment terms beyond the 60 days of the SME payment rule, and impossible dates', () => {
    const doc = seedDocument();
    doc['projects'][4]['contracts'][0]['paymentTermDays'] = 90;
    doc['projects'][0]['contracts'][1]['acceptedOn'] = '2020-02-30';
    const byPath = Object.fromEntries(problemsOf(doc).map((p) => [p.path, p]));
    expect(byPath['projects[4].contracts[0].paymentTermDays']?.zh).toContain('60 天');
    expect(byPath['projects[0].contracts[1].acceptedOn']?.en).toBe('no such date');
  });
});
