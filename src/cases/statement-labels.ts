// The statement's field names in Chinese, worded as the regulation words them (Art. 8: 制作方法、
// 制作时间、制作人和证明对象; Art. 11: 存储位置), shared by the HTML and PDF renderings.
export const LABELS = {
  title: '音像记录证据说明',
  caseRef: '案卷编号',
  caseTitle: '案由',
  actionEnded: '执法行为终结日期',
  due: '归档期限（第十一条，20日）',
  officers: '承办执法人员',
  station: '存储单位',
  generatedAt: '制作本说明时间',
  evidenceNumber: '证据编号',
  storage: '存储位置',
  sha256: 'SHA-256 校验值',
  sm3: 'SM3 校验值',
  method: '制作方法',
  recorder: '记录设备（厂商/型号/序列号）',
  recorded: '制作时间',
  heldAt: '入库时间',
  officer: '制作人（警号 姓名）',
  proves: '证明对象',
  proof: '审计日志包含证明',
  keyFingerprint: '验证公钥指纹（SHA-256）',
  verifierKey: '验证公钥',
  checkpoint: '签名检查点',
  howToCheck: '核验方法：用 evidock copy verify 或 evidock log verify-proof 以上述公钥核验各证据的包含证明；用 sha256sum 核对文件校验值。',
} as const;

export function methodText(method: string): string {
  return method === 'body-worn recorder' ? '执法记录仪拍摄 (body-worn recorder)' : method;
}
