// The short README in Chinese on every disc: what is on it and how to check it.
export function discReadme(o: { station: string; subject: string; keyFingerprint: string; recordings: readonly string[] }): string {
  return `音像记录光盘说明 (evidock)

来源：${o.station}
内容：${o.subject}，共 ${o.recordings.length} 个音像记录文件（data/ 目录），原样复制自存储系统。
证据编号：${o.recordings.join('、')}

目录说明：
  data/                       音像记录文件，文件名为证据编号
  manifest-sha256.txt         每个文件的 SHA-256 校验值
  tagmanifest-sha256.txt      说明文件的 SHA-256 校验值
  bag-info.txt                来源、申请与批准信息（BagIt 1.0 格式）
  evidock/proofs/             每个文件在审计日志中的包含证明
  evidock/checkpoint.txt      签名检查点
  evidock/station.pub         验证公钥（指纹 SHA-256：${o.keyFingerprint}）
  statement/                  案卷证据说明（PDF 与 JSON，仅案卷光盘）

核验方法：
  1. 在光盘根目录执行：sha256sum -c manifest-sha256.txt 与 sha256sum -c tagmanifest-sha256.txt，
     所有文件应显示"成功"或 OK。
  2. 执行：evidock copy verify <光盘目录> --key <向存储单位索取的公钥文件>，
     核对文件校验值、包含证明与检查点签名。公钥指纹应与上面一致。
  任何一项不符，说明光盘内容已被改动，不应作为证据使用。
`;
}
