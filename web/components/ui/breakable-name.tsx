import { Fragment } from 'react';
import { identifierParts } from './text';

/** A long identifier that may wrap only between its words (<wbr>), never mid-word. */
export function BreakableName(props: { name: string }) {
  return (
    <>
      {identifierParts(props.name).map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </>
  );
}
